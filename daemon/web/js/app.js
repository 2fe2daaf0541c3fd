// The page's entry: takes a token from the URL fragment (#token=..., never sent to the server) and removes it
// from the address bar, asks for one when there is none, routes in the browser (/, /incidents/{id},
// /brands/{id}, the same index.html for all), and feeds the live stream's events to the view on screen.
import {h, clear, link, paths} from './dom.js';
import {t, lang} from './i18n.js';
import {session, whoAmI, setUnauthorizedHandler, canAct, loadBrandNames, brandName} from './api.js';
import {LiveStream} from './stream.js';
import {renderSignIn} from './views/signin.js';
import {renderOverview} from './views/overview.js';
import {renderIncident} from './views/incident.js';
import {renderBrand} from './views/brand.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const liveEl = document.getElementById('live');
const whoEl = document.getElementById('who');
const toastEl = document.getElementById('toast');
let view = null;
let stream = null;
let toastTimer = null;

document.documentElement.lang = lang;
document.querySelector('.skip').textContent = t('skip');

function toast(message) {
  toastEl.textContent = message;
  toastEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toastEl.hidden = true;
  }, 4000);
}

// #token=...&name=... : kept as if typed in the sign-in form, then removed from the address bar and history.
function takeFragment() {
  if (!location.hash.startsWith('#')) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  session.token = token;
  const name = params.get('name');
  if (name) session.name = name;
  history.replaceState(history.state, '', location.pathname + location.search);
}

function route(pathname) {
  let m;
  if ((m = pathname.match(/^\/incidents\/([^/]+)\/?$/))) return {name: 'incident', id: decodeURIComponent(m[1])};
  if ((m = pathname.match(/^\/brands\/([^/]+)\/?$/))) return {name: 'brand', id: decodeURIComponent(m[1])};
  return {name: 'overview'};
}

function show() {
  if (view) view.destroy();
  clear(main);
  const r = route(location.pathname);
  const ctx = {id: r.id, toast, isLive: () => stream && stream.state === 'live'};
  if (r.name === 'incident') view = renderIncident(main, ctx);
  else if (r.name === 'brand') view = renderBrand(main, ctx);
  else view = renderOverview(main, ctx);
  document.title = (r.name === 'overview' ? t('overview') : r.name === 'brand' ? brandName(r.id) : 'Incident ' + r.id) + ' · Vigie';
}

function header() {
  clear(nav).append(link(paths.overview(), t('overview')));
  const out = h('button', {type: 'button', class: 'linklike', id: 'sign-out', onclick: signOut}, t('signOut'));
  const role = session.role === 'admin' ? t('roleAdmin') : session.role === 'unknown' ? '' : t('roleRead');
  clear(whoEl).append(h('span', null, [session.name || session.tokenName, role ? '(' + role + ')' : ''].filter(Boolean).join(' ')), out);
}

function setLive(state) {
  liveEl.dataset.state = state;
  liveEl.textContent = state === 'live' ? t('live') : state === 'down' ? t('liveDown') : t('liveOff');
}

function signOut() {
  session.token = '';
  if (stream) stream.stop();
  stream = null;
  signIn();
}

function signIn(message) {
  if (view) view.destroy();
  view = null;
  clear(main);
  clear(nav);
  clear(whoEl);
  liveEl.textContent = '';
  renderSignIn(main, {onSignedIn: start, message});
}

async function start() {
  try {
    await Promise.all([whoAmI(), loadBrandNames()]);
  } catch (e) {
    if (e.status === 401) session.token = '';
    signIn(e.status === 401 ? t('badToken') : e.message);
    return;
  }
  header();
  show();
  if (!stream) {
    stream = new LiveStream({
      onEvent: (type, data) => view && view.onEvent && view.onEvent(type, data),
      onReset: () => {
        // Counted on the live indicator, for whoever wonders why the view reloaded (the browser tests read it).
        liveEl.dataset.resets = String(Number(liveEl.dataset.resets || 0) + 1);
        if (view && view.reload) view.reload();
      },
      onState: setLive,
    });
    setLive('down');
    stream.start();
  }
  document.body.dataset.role = canAct() ? 'admin' : 'read';
}

// Links inside the app change the view without loading a page (the stream stays connected).
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[data-nav]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  if (!session.token) return;
  ev.preventDefault();
  if (a.pathname !== location.pathname) history.pushState(null, '', a.pathname);
  show();
  main.focus();
});
window.addEventListener('popstate', () => {
  if (session.token) show();
});

setUnauthorizedHandler(() => {
  if (!view) return;  // signing in: the form says so itself
  session.token = '';
  if (stream) stream.stop();
  stream = null;
  signIn(t('badToken'));
});

takeFragment();
if (session.token) start();
else signIn();
