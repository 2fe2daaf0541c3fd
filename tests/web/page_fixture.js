// What the browser tests share: a real `vigie run` on 127.0.0.1 (a temporary data dir, a push source, admin,
// read and ingest tokens, rules with a critical topic so that a post opens an incident at once), the API called
// as a client would, and Debian's Chromium driven through puppeteer-core (installed by tests/web/install.sh into
// the build directory; no browser download).
//
// A browser test fails, never skips: no chromium, no node packages, no vigie binary are failures that say so.
// Every JavaScript error of the page (an uncaught exception, a console error, a failed or refused request, an
// answer >= 400) is recorded by watch() and fails the test in checkNoErrors().
'use strict';
const {spawn} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ADMIN = 'admin-token-web-0123456789';
const READ = 'read-token-web-0123456789';
const INGEST = 'ingest-token-web-0123456789';

function fail(message) {
  console.error('FAIL: ' + message);
  process.exit(1);
}

function requireDeps() {
  const deps = process.env.VIGIE_WEB_DEPS;
  if (!deps) fail('VIGIE_WEB_DEPS is not set (run through ctest, which installs the packages first)');
  try {
    return require(path.join(path.resolve(deps), 'node_modules', 'puppeteer-core'));
  } catch (e) {
    fail('puppeteer-core is not installed in ' + deps + ' (tests/web/install.sh ' + deps + '): ' + e.message);
  }
}

function chromiumPath() {
  const candidates = [process.env.VIGIE_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  for (const c of candidates) {
    if (c && fs.existsSync(c)) return c;
  }
  fail('no chromium found (deploy/install-deps.sh installs Debian\'s chromium; VIGIE_CHROMIUM names another)');
}

const RULES = `brands:
  - id: acme
    name: Acme Bank
    query: '"acme bank" OR #acmebank'
  - id: globex
    name: Globex
    query: 'globex'
topics:
  - id: data-breach
    query: '"data breach" OR "fuite de données"'
    severity: critical
    brands: [acme]
  - id: fees
    query: 'fees OR frais'
    severity: warning
`;

class Vigie {
  // Starts vigie on a free port, or again on the same port and data (a restart) after stop({keep: true}).
  async start() {
    const binary = process.env.VIGIE_BINARY && path.resolve(process.env.VIGIE_BINARY);
    if (!binary || !fs.existsSync(binary)) fail('no vigie binary at ' + binary + ' (VIGIE_BINARY)');
    const listen = '127.0.0.1:' + (this.port || 0);
    if (!this.dir) this.writeConfig();
    this.log = '';
    this.proc = spawn(binary, ['run', '--config', path.join(this.dir, 'vigie.yaml'), '--listen', listen],
        {cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe']});
    this.proc.on('error', (e) => fail('cannot start ' + binary + ': ' + e.message));
    const collect = (chunk) => {
      this.log += chunk.toString();
    };
    this.proc.stdout.on('data', collect);
    this.proc.stderr.on('data', collect);
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) fail('vigie exited with ' + this.proc.exitCode + ':\n' + this.log);
      const m = this.log.match(/http: listening on 127\.0\.0\.1:(\d+)/);
      if (m && /vigie ready/.test(this.log)) {
        this.port = Number(m[1]);
        this.base = 'http://127.0.0.1:' + this.port;
        return this;
      }
      await sleep(50);
    }
    fail('vigie did not listen within 20 s:\n' + this.log);
  }

  writeConfig() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-web-'));
    fs.writeFileSync(path.join(this.dir, 'rules.yaml'), RULES);
    fs.writeFileSync(path.join(this.dir, 'vigie.yaml'), `data_dir: data
rules: rules.yaml
sources:
  - {id: push, type: http_push}
auth:
  tokens:
    - {name: ops, token: ${ADMIN}, roles: [admin]}
    - {name: viewer, token: ${READ}, roles: [read]}
    - {name: feeder, token: ${INGEST}, roles: [ingest]}
`);
  }

  async api(pathname, {method = 'GET', token = ADMIN, body, headers = {}} = {}) {
    const res = await fetch(this.base + pathname, {
      method,
      headers: {Authorization: 'Bearer ' + token, ...(body ? {'Content-Type': 'application/json'} : {}), ...headers},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return {status: res.status, headers: res.headers, json, text};
  }

  // Posts through POST /api/v1/posts (NDJSON), as a client of the http_push source.
  async push(posts) {
    const res = await fetch(this.base + '/api/v1/posts', {
      method: 'POST',
      headers: {Authorization: 'Bearer ' + INGEST, 'Content-Type': 'application/x-ndjson'},
      body: posts.map((p) => JSON.stringify(p)).join('\n') + '\n',
    });
    const body = await res.json();
    if (res.status !== 202 || body.accepted !== posts.length) {
      fail('push answered ' + res.status + ' ' + JSON.stringify(body));
    }
  }

  // Polls the API until pred(json) holds; the page is not involved.
  async waitFor(pathname, pred, what, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < deadline) {
      last = await this.api(pathname, {token: READ});
      if (last.status === 200 && pred(last.json)) return last.json;
      await sleep(100);
    }
    fail('within ' + timeoutMs + ' ms, ' + what + ': last answer ' + (last && last.text));
  }

  // SIGTERM and wait; the data dir is removed unless `keep` (to start again on it).
  async stop({keep = false} = {}) {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          this.proc.kill('SIGKILL');
          resolve();
        }, 10000);
        this.proc.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (keep) return;
    if (process.env.VIGIE_KEEP_TMP !== '1' && this.dir) fs.rmSync(this.dir, {recursive: true, force: true});
    this.dir = null;
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function launch() {
  const puppeteer = requireDeps();
  // Chromium runs as root on the build machines: it needs --no-sandbox there.
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

// Records every error the page shows: uncaught exceptions, console errors (CSP refusals included), requests
// that failed or answered >= 400, dialogs (but a confirm() the test expects, with page.acceptConfirm).
function watch(page, name, errors) {
  page.on('pageerror', (e) => errors.push(name + ': uncaught ' + (e && e.message)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = (m.location() && m.location().url) || '';
    errors.push(name + ': console error: ' + m.text() + (url ? ' (' + url + ')' : ''));
  });
  page.on('requestfailed', (r) => {
    const why = r.failure() ? r.failure().errorText : '';
    // Requests still running when a page closes or leaves (the live stream above all) are aborted by the
    // browser: that is not the page's error.
    if (why === 'net::ERR_ABORTED') return;
    errors.push(name + ': request failed: ' + r.url() + ' ' + why);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) {
      errors.push(name + ': ' + r.status() + ' from ' + r.url());
    }
  });
  page.on('dialog', async (d) => {
    if (d.type() === 'confirm' && page.acceptConfirm) {
      await d.accept();
      return;
    }
    errors.push(name + ': unexpected ' + d.type() + ' dialog: ' + d.message());
    await d.dismiss();
  });
}

function checkNoErrors(errors) {
  if (errors.length) fail('the page reported errors:\n  ' + errors.join('\n  '));
}

function outDir() {
  const dir = process.env.VIGIE_WEB_OUT || path.join(os.tmpdir(), 'vigie-web-screens');
  fs.mkdirSync(dir, {recursive: true});
  return dir;
}

function assert(cond, message) {
  if (!cond) fail(message);
}

module.exports = {ADMIN, READ, INGEST, Vigie, launch, watch, checkNoErrors, outDir, assert, fail, sleep};
