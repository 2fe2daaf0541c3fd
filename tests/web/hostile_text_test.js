// Hostile text on the page (ctest: web_hostile_text): a mention whose text is `<img src=x onerror=alert(1)>`, an
// author named like a script, a javascript: URL and a note holding markup are shown as text on the overview, the
// incident and the brand's page, and run nothing: no dialog opens, no element is made from them (no <img>, no
// <script> beyond the page's own, no javascript: link), and the page reports no error.
'use strict';
const path = require('node:path');
const {ADMIN, Vigie, launch, watch, checkNoErrors, outDir, assert, fail} = require('./page_fixture.js');

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT_NAME = '<script>alert(2)</script>';
const NOTE = '<b onmouseover=alert(3)>bold?</b><iframe src=javascript:alert(4)></iframe>';

async function noInjectedElements(page, where) {
  const found = await page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    iframe: document.querySelectorAll('iframe').length,
    b: document.querySelectorAll('main b').length,
    scripts: [...document.scripts].map((s) => s.src),
    jsLinks: [...document.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') || '')).length,
    xss: window.__xss === true,
  }));
  assert(found.img === 0, where + ': ' + found.img + ' <img> element(s) in the page');
  assert(found.iframe === 0, where + ': an <iframe> was created');
  assert(found.b === 0, where + ': a <b> element was created from a note');
  assert(found.scripts.every((s) => s.includes('/assets/')), where + ': scripts ' + JSON.stringify(found.scripts));
  assert(found.jsLinks === 0, where + ': a javascript: link');
  assert(!found.xss, where + ': injected code ran');
}

async function main() {
  const vigie = await new Vigie().start();
  let browser = null;
  const errors = [];
  try {
    await vigie.push([
      {uid: 'x:hostile1', author: {handle: 'mallory', name: SCRIPT_NAME, followers: 50000},
        text: 'Acme Bank data breach, terrible ' + IMG, url: 'javascript:window.__xss=true',
        created_at: new Date(Date.now() - 60000).toISOString()},
      {uid: 'x:hostile2', author: {handle: 'eve', followers: 10},
        text: IMG, title: 'Acme Bank data breach, awful', url: 'https://example.com/"><img src=x onerror=alert(5)>'},
    ]);
    const list = await vigie.waitFor('/api/v1/incidents?status=active', (j) => j.items.length > 0, 'no incident opened');
    const id = list.items[0].id;
    const noted = await vigie.api('/api/v1/incidents/' + id + '/notes', {method: 'POST', body: {text: NOTE, author: SCRIPT_NAME}});
    assert(noted.status === 200, 'adding the note answered ' + noted.status + ' ' + noted.text);

    browser = await launch();
    const page = await browser.newPage();
    watch(page, 'page', errors);
    await page.setViewport({width: 1280, height: 900});
    await page.evaluateOnNewDocument(() => {
      window.alert = () => {
        window.__xss = true;
      };
    });

    await page.goto(vigie.base + '/#token=' + ADMIN, {waitUntil: 'load'});
    await page.waitForSelector('#open-incidents [data-incident="' + id + '"]', {timeout: 15000});
    await page.waitForSelector('#negative-posts li[data-uid="x:hostile1"]', {timeout: 15000});
    const shown = await page.$eval('#negative-posts li[data-uid="x:hostile1"]', (li) => li.textContent);
    assert(shown.includes(IMG), 'the overview does not show the mention\'s text as text: ' + shown);
    assert(shown.includes(SCRIPT_NAME), 'the overview does not show the author\'s name as text: ' + shown);
    const links = await page.$$eval('#negative-posts li[data-uid="x:hostile1"] a', (as) => as.map((a) => a.href));
    assert(links.every((h) => !h.startsWith('javascript:')), 'a javascript: URL became a link: ' + links);
    await noInjectedElements(page, 'overview');

    await page.goto(vigie.base + '/incidents/' + id, {waitUntil: 'load'});
    await page.waitForSelector('#incident .timeline', {timeout: 15000});
    const body = await page.$eval('#incident', (el) => el.textContent);
    assert(body.includes(IMG), 'the incident page does not show the mention as text');
    assert(body.includes(NOTE), 'the incident page does not show the note as text');
    // Move the pointer over everything (the note's onmouseover) and expand the groups.
    for (const b of await page.$$('#incident .timeline button')) await b.click();
    await page.mouse.move(10, 10);
    for (const n of await page.$$('#incident .note-text')) await n.hover();
    await noInjectedElements(page, 'incident');
    await page.screenshot({path: path.join(outDir(), 'hostile-incident.png'), fullPage: true});

    await page.goto(vigie.base + '/brands/acme', {waitUntil: 'load'});
    await page.waitForSelector('#brand-charts canvas', {timeout: 15000});
    await noInjectedElements(page, 'brand');

    await page.close();
    checkNoErrors(errors);
    console.log('web_hostile_text: ok');
  } finally {
    if (browser) await browser.close();
    await vigie.stop();
  }
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
