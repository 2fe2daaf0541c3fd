// The page through a restart of Vigie (ctest: web_reconnect): an incident page, live, sees a note come through
// the stream; Vigie stops (the page says it is reconnecting) and starts again on the same port and data; a note
// added before the page is back cannot be replayed across the restart, so the server answers the page's
// Last-Event-ID with `reset` and the page reloads its data, showing that note; a note added afterwards comes
// live again. No page load happens in between. Network errors during the planned outage are the only ones
// excused.
'use strict';
const {ADMIN, READ, Vigie, launch, watch, checkNoErrors, assert, fail} = require('./page_fixture.js');

const OUTAGE = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_NETWORK_CHANGED|ERR_CONNECTION_CLOSED/;

async function note(vigie, id, text) {
  const r = await vigie.api('/api/v1/incidents/' + id + '/notes', {method: 'POST', body: {text, author: 'ops'}});
  assert(r.status === 200, 'adding a note answered ' + r.status + ' ' + r.text);
}

function seen(page, text) {
  return page.waitForFunction((t) => [...document.querySelectorAll('#notes .note-text')].some((n) => n.textContent === t),
      {timeout: 40000, polling: 100}, text);
}

async function main() {
  const vigie = await new Vigie().start();
  let browser = null;
  const errors = [];
  try {
    await vigie.push([{uid: 'x:r1', author: 'ana', text: 'Acme Bank data breach?', created_at: new Date().toISOString()}]);
    const list = await vigie.waitFor('/api/v1/incidents?status=active', (j) => j.items.length > 0, 'no incident opened');
    const id = list.items[0].id;

    browser = await launch();
    const page = await browser.newPage();
    watch(page, 'page', errors);
    const streamRequests = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/stream')) streamRequests.push(r.headers());
    });
    await page.goto(vigie.base + '/incidents/' + id + '#token=' + ADMIN, {waitUntil: 'load'});
    await page.waitForSelector('#live[data-state="live"]', {timeout: 15000});
    await page.evaluate(() => {
      window.__notReloaded = true;
    });
    await note(vigie, id, 'before the restart');
    await seen(page, 'before the restart').catch(() => fail('the first note did not come live'));

    await vigie.stop({keep: true});
    await page.waitForSelector('#live[data-state="down"]', {timeout: 15000})
        .catch(() => fail('the page did not notice that the stream ended'));
    await vigie.start();
    await note(vigie, id, 'while the page was away');
    await seen(page, 'while the page was away').catch(() => fail('after the restart the page did not catch up'));
    await page.waitForSelector('#live[data-state="live"]', {timeout: 40000});
    const resets = await page.$eval('#live', (el) => Number(el.dataset.resets || 0));
    assert(resets >= 1, 'the page caught up without a reset from the server (resets: ' + resets + ')');
    const resumed = streamRequests.slice(1).filter((h) => h['last-event-id']);
    assert(resumed.length >= 1, 'no reconnection sent Last-Event-ID: ' + JSON.stringify(streamRequests));

    await note(vigie, id, 'after the restart');
    await seen(page, 'after the restart').catch(() => fail('after the restart notes no longer come live'));
    assert(await page.evaluate(() => window.__notReloaded === true), 'the page was loaded again');
    const stored = await vigie.api('/api/v1/incidents/' + id, {token: READ});
    assert(stored.json.timeline.filter((e) => e.kind === 'note').length === 3, 'the incident holds ' + stored.text);

    await page.close();
    checkNoErrors(errors.filter((e) => !OUTAGE.test(e)));
    console.log('web_reconnect: ok (' + streamRequests.length + ' stream connections, ' + resets + ' reset(s))');
  } finally {
    if (browser) await browser.close();
    await vigie.stop();
  }
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
