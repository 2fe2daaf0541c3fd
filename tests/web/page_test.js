// The spokesperson's page end to end (ctest: web_page): a real Vigie fed a surge of posts about a data breach
// (a critical topic: an incident opens at once), its page in headless Chromium. The test checks the headers of
// the page and its assets, then, as a person would: opens the overview with the token in the URL fragment (which
// leaves the address bar), sees the incident, opens its timeline (repeats collapsed, expandable), adds a note and
// sees it appear without a reload in a second tab that did nothing (only the live stream can bring it there),
// acknowledges it, silences the brand's notifications, looks at the brand's page and its range picker, checks a
// read token gets no action, saves desktop and phone screenshots (the phone in French, Paris time) under the
// build directory, and resolves the incident, whose page stays as its record. Any JavaScript error of any tab fails the test.
'use strict';
const path = require('node:path');
const {ADMIN, READ, Vigie, launch, watch, checkNoErrors, outDir, assert, fail} = require('./page_fixture.js');

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function checkSecurityHeaders(res, what) {
  assert(res.headers.get('content-security-policy') === CSP,
      what + ': Content-Security-Policy is ' + res.headers.get('content-security-policy'));
  assert(res.headers.get('x-content-type-options') === 'nosniff', what + ': no X-Content-Type-Options: nosniff');
  assert(res.headers.get('referrer-policy') === 'no-referrer', what + ': no Referrer-Policy: no-referrer');
}

async function checkHeaders(vigie) {
  // The app's routes answer the same index.html, without a token.
  let index = null;
  for (const p of ['/', '/incidents/1', '/brands/acme']) {
    const res = await fetch(vigie.base + p);
    assert(res.status === 200, p + ' answered ' + res.status);
    assert(res.headers.get('content-type') === 'text/html; charset=utf-8', p + ': ' + res.headers.get('content-type'));
    assert(res.headers.get('cache-control') === 'no-cache', p + ': Cache-Control ' + res.headers.get('cache-control'));
    checkSecurityHeaders(res, p);
    const body = await res.text();
    if (index !== null) assert(body === index, p + ' is not the same index.html as /');
    index = body;
  }
  assert(!/<script(?![^>]*\bsrc=)/.test(index), 'index.html has an inline script');
  const etag = (await fetch(vigie.base + '/')).headers.get('etag');
  const again = await fetch(vigie.base + '/', {headers: {'If-None-Match': etag}});
  assert(again.status === 304, 'If-None-Match on / answered ' + again.status);

  // Every asset index.html names is served with its type, an ETag and a year of caching under its version.
  const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert(assets.length >= 4, 'index.html names only ' + assets.length + ' assets');
  const types = {'.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml'};
  for (const a of assets) {
    const res = await fetch(vigie.base + a);
    assert(res.status === 200, a + ' answered ' + res.status);
    assert(res.headers.get('content-type') === types[path.extname(a)], a + ': ' + res.headers.get('content-type'));
    assert(/immutable/.test(res.headers.get('cache-control') || ''), a + ': Cache-Control ' + res.headers.get('cache-control'));
    assert(res.headers.get('etag'), a + ': no ETag');
    checkSecurityHeaders(res, a);
  }
  const version = assets[0].split('/')[2];
  const views = await fetch(vigie.base + '/assets/' + version + '/js/views/incident.js');
  assert(views.status === 200, 'a module two folders deep answered ' + views.status);
  const missing = await fetch(vigie.base + '/assets/' + version + '/js/nothing.js');
  assert(missing.status === 404, 'an unknown asset answered ' + missing.status);
  const indexAsAsset = await fetch(vigie.base + '/assets/' + version + '/index.html');
  assert(indexAsAsset.status === 404, 'index.html as an asset answered ' + indexAsAsset.status);

  // API answers carry the two headers that apply to data too.
  const api = await vigie.api('/api/v1/version', {token: READ});
  assert(api.status === 200, '/api/v1/version answered ' + api.status);
  assert(api.headers.get('x-content-type-options') === 'nosniff', 'API answer without nosniff');
  assert(api.headers.get('referrer-policy') === 'no-referrer', 'API answer without Referrer-Policy');
}

function surge() {
  const now = Date.now();
  const posts = [];
  for (let i = 0; i < 12; i++) {
    posts.push({
      uid: 'x:breach' + i,
      author: {handle: 'client' + i, name: 'Client ' + i, followers: 1000 * (i + 1)},
      text: 'Acme Bank data breach: my card details leaked, this is terrible #' + i,
      url: 'https://example.com/status/' + i,
      created_at: new Date(now - (12 - i) * 20000).toISOString(),
    });
  }
  for (let i = 0; i < 5; i++) {
    posts.push({uid: 'x:globex' + i, author: 'fan' + i, text: 'Globex support was great today, thanks!',
      created_at: new Date(now - i * 30000).toISOString()});
  }
  return posts;
}

function step(name) {
  console.log('web_page: ' + name);
}

async function main() {
  const vigie = await new Vigie().start();
  let browser = null;
  const errors = [];
  try {
    step('headers');
    await checkHeaders(vigie);
    await vigie.push(surge());
    const incidents = await vigie.waitFor('/api/v1/incidents?status=active', (j) => j.items.length > 0,
        'no incident opened after the surge');
    const id = incidents.items[0].id;
    await vigie.waitFor('/api/v1/incidents/' + id, (j) => j.findings >= 12, 'incident did not collect the surge');

    step('launch');
    browser = await launch();
    const desktop = await browser.newPage();
    watch(desktop, 'desktop', errors);
    await desktop.setViewport({width: 1280, height: 900});
    await desktop.goto(vigie.base + '/#token=' + ADMIN + '&name=Claire%20Martin', {waitUntil: 'load'});

    // The token leaves the address bar and stays in the browser.
    await desktop.waitForSelector('#open-incidents [data-incident="' + id + '"]', {timeout: 15000});
    assert(!desktop.url().includes('token'), 'the token is still in the address bar: ' + desktop.url());
    const kept = await desktop.evaluate(() => localStorage.getItem('vigie.token'));
    assert(kept === ADMIN, 'the token was not kept: ' + kept);
    const card = await desktop.$eval('#open-incidents [data-incident="' + id + '"]', (el) => el.textContent);
    assert(/data-breach/.test(card) && /critical/i.test(card), 'the overview card lacks the incident: ' + card);
    await desktop.waitForSelector('#brands [data-brand="acme"] canvas', {timeout: 15000});
    await desktop.waitForSelector('#negative-posts li[data-uid]', {timeout: 15000});
    await desktop.screenshot({path: path.join(outDir(), 'overview-desktop.png'), fullPage: true});

    step('timeline');
    // The incident's timeline, through the link (the app routes without loading a page).
    await desktop.evaluate(() => {
      window.__sameDocument = true;
    });
    await desktop.click('#open-incidents [data-incident="' + id + '"] a');
    await desktop.waitForSelector('#incident .timeline', {timeout: 15000});
    assert(desktop.url().endsWith('/incidents/' + id), 'the link led to ' + desktop.url());
    assert(await desktop.evaluate(() => window.__sameDocument === true), 'following the link reloaded the page');
    const grouped = await desktop.$$eval('#incident .timeline > li.grouped', (els) =>
      els.map((e) => Number(e.dataset.count)));
    assert(grouped.some((n) => n >= 5), 'repeats of the detector are not collapsed: groups ' + JSON.stringify(grouped));
    const lines = await desktop.$$eval('#incident .timeline > li', (els) => els.length);
    assert(lines < 10, 'the timeline shows ' + lines + ' lines for one surge');
    await desktop.click('#incident .timeline > li.grouped button');
    const shown = await desktop.$eval('#incident .timeline > li.grouped ol', (ol) => !ol.hidden && ol.children.length);
    assert(shown >= 5, 'expanding a group shows ' + shown + ' entries');
    await desktop.waitForSelector('#incident figure.chart canvas', {timeout: 15000});
    const topPosts = await desktop.$$eval('#incident .posts li[data-uid] a[rel="noopener noreferrer"]', (as) => as.map((a) => a.href));
    assert(topPosts.length > 0 && topPosts.every((h) => h.startsWith('https://example.com/')), 'top posts: ' + topPosts);

    step('second tab');
    const firstPost = await desktop.$eval('#first-post', (el) => el.textContent).catch(() => '');
    assert(/#0$/.test(firstPost), 'the first mention shown is not the oldest post: ' + firstPost);
    const tables = await desktop.$$eval('#incident table', (ts) => ts.map((x) => x.textContent));
    assert(tables.some((x) => x.includes('@client11')) && tables.some((x) => x.includes('data-breach')),
        'no top authors and topics tables: ' + tables.join(' | '));
    const legend = await desktop.$eval('#incident figure.chart', (f) => f.textContent);
    assert(/expected/.test(legend), 'the volume chart has no expected series: ' + legend);
    // A second tab on the same incident, which does nothing: what it shows next came through the stream.
    const watcher = await browser.newPage();
    watch(watcher, 'watcher', errors);
    await watcher.setViewport({width: 1024, height: 800});
    await watcher.goto(vigie.base + '/incidents/' + id, {waitUntil: 'load'});
    await watcher.waitForSelector('#incident .timeline', {timeout: 15000});
    await watcher.waitForSelector('#live[data-state="live"]', {timeout: 15000});
    await watcher.evaluate(() => {
      window.__notReloaded = true;
    });

    step('note');
    await desktop.bringToFront();
    const note = 'Statement sent to the press at ' + new Date().toISOString();
    await desktop.type('#note-text', note);
    await desktop.click('#note-submit');
    await desktop.waitForFunction((text) => [...document.querySelectorAll('#notes .note-text')].some((n) => n.textContent === text),
        {timeout: 15000, polling: 100}, note);
    await watcher.waitForFunction((text) => [...document.querySelectorAll('#notes .note-text')].some((n) => n.textContent === text),
        {timeout: 15000, polling: 100}, note).catch(() => fail('the note did not reach the second tab without a reload'));
    assert(await watcher.evaluate(() => window.__notReloaded === true), 'the second tab reloaded');
    const stored = await vigie.api('/api/v1/incidents/' + id, {token: READ});
    const storedNote = stored.json.timeline.find((e) => e.kind === 'note');
    assert(storedNote && storedNote.text === note && storedNote.author === 'Claire Martin',
        'the note stored is ' + JSON.stringify(storedNote));

    step('acknowledge');
    // Acknowledge: the state changes in both tabs, with who did it.
    await desktop.click('#ack');
    await desktop.waitForSelector('#incident[data-status="acknowledged"]', {timeout: 15000});
    await watcher.waitForSelector('#incident[data-status="acknowledged"]', {timeout: 15000})
        .catch(() => fail('the acknowledgement did not reach the second tab'));
    const acked = await vigie.api('/api/v1/incidents/' + id, {token: READ});
    assert(acked.json.status === 'acknowledged', 'status after ack: ' + acked.json.status);
    assert(acked.json.acknowledged_by === 'Claire Martin', 'acknowledged_by: ' + acked.json.acknowledged_by);
    assert(await desktop.$('#ack') === null, 'the acknowledge button is still there');

    // Silence the brand's notifications for 4 hours: the page says until when, the API has the silence.
    await desktop.select('#silence-hours', '4');
    await desktop.click('#silence');
    await desktop.waitForSelector('#silences p', {timeout: 15000});
    const silences = await vigie.api('/api/v1/silences', {token: READ});
    const silence = (silences.json.items || []).find((x) => x.brand === 'acme');
    assert(silence, 'no silence of acme after the click: ' + silences.text);
    const hours = (Date.parse(silence.ends_at) - Date.parse(silence.starts_at)) / 3600e3;
    assert(Math.abs(hours - 4) < 0.01, 'the silence lasts ' + hours + ' h');
    await desktop.screenshot({path: path.join(outDir(), 'incident-desktop.png'), fullPage: true});

    step('brand');
    // The brand's page and its range picker.
    await desktop.goto(vigie.base + '/brands/acme', {waitUntil: 'load'});
    await desktop.waitForSelector('#brand-charts canvas', {timeout: 15000});
    await desktop.waitForSelector('#brand-incidents [data-incident="' + id + '"]', {timeout: 15000});
    await desktop.click('.range button[data-range="7d"]');
    await desktop.waitForSelector('.range button[data-range="7d"][aria-pressed="true"]');
    await desktop.waitForSelector('#brand-charts canvas', {timeout: 15000});
    await desktop.screenshot({path: path.join(outDir(), 'brand-desktop.png'), fullPage: true});

    step('read token');
    // A read token sees everything and no action.
    const reader = await browser.createBrowserContext();
    const readPage = await reader.newPage();
    watch(readPage, 'reader', errors);
    await readPage.goto(vigie.base + '/incidents/' + id + '#token=' + READ, {waitUntil: 'load'});
    await readPage.waitForSelector('#incident .timeline', {timeout: 15000});
    assert(await readPage.$('#copy-summary') !== null, 'a read token gets no copy-summary button');
    assert(await readPage.$('#note-form') === null && await readPage.$('#resolve') === null &&
        await readPage.$('#silence') === null, 'a read token is offered admin actions');
    await readPage.close();
    await reader.close();

    step('phone');
    // A phone, in French, in Paris.
    const phoneContext = await browser.createBrowserContext();
    const phone = await phoneContext.newPage();
    watch(phone, 'phone', errors);
    await phone.evaluateOnNewDocument(() => {
      Object.defineProperty(navigator, 'languages', {get: () => ['fr-FR', 'fr']});
      Object.defineProperty(navigator, 'language', {get: () => 'fr-FR'});
    });
    await phone.emulateTimezone('Europe/Paris');
    await phone.setViewport({width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true});
    await phone.goto(vigie.base + '/#token=' + ADMIN, {waitUntil: 'load'});
    await phone.waitForSelector('#open-incidents [data-incident="' + id + '"]', {timeout: 15000});
    const heading = await phone.$eval('main h2', (h) => h.textContent);
    assert(heading === 'Incidents ouverts', 'the French page says ' + heading);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, 'the phone page scrolls sideways by ' + overflow + ' px');
    await phone.screenshot({path: path.join(outDir(), 'overview-phone.png'), fullPage: true});
    await phone.goto(vigie.base + '/incidents/' + id, {waitUntil: 'load'});
    await phone.waitForSelector('#incident .timeline', {timeout: 15000});
    await phone.waitForSelector('#incident figure.chart canvas', {timeout: 15000});
    const phoneOverflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(phoneOverflow <= 1, 'the phone incident page scrolls sideways by ' + phoneOverflow + ' px');
    await phone.screenshot({path: path.join(outDir(), 'incident-phone.png'), fullPage: true});
    await phone.close();
    await phoneContext.close();

    // Resolve (after a confirmation): the page stays as the record, without the forms.
    await desktop.bringToFront();
    await desktop.goto(vigie.base + '/incidents/' + id, {waitUntil: 'load'});
    await desktop.waitForSelector('#resolve', {timeout: 15000});
    desktop.acceptConfirm = true;
    await desktop.click('#resolve');
    await desktop.waitForSelector('#incident[data-status="resolved"]', {timeout: 15000});
    assert(await desktop.$('#note-form') === null && await desktop.$('#ack') === null, 'a resolved incident offers actions');
    const record = await desktop.$eval('#incident', (el) => el.textContent);
    assert(record.includes(note), 'the resolved incident lost its note');
    const resolved = await vigie.api('/api/v1/incidents/' + id, {token: READ});
    assert(resolved.json.status === 'resolved' && resolved.json.resolved_by === 'Claire Martin',
        'after resolve: ' + resolved.json.status + ' by ' + resolved.json.resolved_by);
    await desktop.screenshot({path: path.join(outDir(), 'incident-resolved-desktop.png'), fullPage: true});

    await watcher.close();
    await desktop.close();
    checkNoErrors(errors);
    console.log('web_page: ok (incident ' + id + '; screenshots in ' + outDir() + ')');
  } finally {
    if (browser) await browser.close();
    await vigie.stop();
  }
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
