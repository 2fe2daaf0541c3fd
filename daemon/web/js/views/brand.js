// A brand (/brands/{id}): volume and mean sentiment over a chosen range (24 hours, 7 days, 30 days), its top
// topics and authors over that range, and its incidents. Live: its mentions reload the charts (at most every 15 s),
// incident events the list of incidents.
import {h, clear, link, paths, section} from '../dom.js';
import {t} from '../i18n.js';
import {api, apiOptional, brandName} from '../api.js';
import {fmtAgo, timeEl} from '../format.js';
import {timeChart, unixSeconds} from '../charts.js';
import {authorsTable, topicsTable, incidentBadges} from './incident.js';

const RANGES = [
  {key: '24h', from: '-24h', step: '1h', label: 'range24h'},
  {key: '7d', from: '-7d', step: '1h', label: 'range7d'},
  {key: '30d', from: '-30d', step: '1d', label: 'range30d'},
];

export function renderBrand(main, {id}) {
  let range = RANGES[0];
  let charts = [];
  let destroyed = false;
  let timer = null;
  const title = h('h1', null, brandName(id));
  const picker = h('div', {class: 'range', role: 'group', 'aria-label': t('range')});
  const chartsBox = h('section', {class: 'panel stack', id: 'brand-charts'});
  const topBox = h('div', {class: 'grid wide', id: 'brand-top'});
  const incidentsBox = h('div', {id: 'brand-incidents'});
  for (const r of RANGES) {
    picker.append(h('button', {type: 'button', 'data-range': r.key, 'aria-pressed': String(r === range),
      onclick: () => {
        range = r;
        for (const b of picker.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.range === r.key));
        loadSeries();
      }}, t(r.label)));
  }
  main.append(title, h('div', {class: 'row'}, h('span', {class: 'muted'}, t('range') + ':'), picker), chartsBox, topBox,
      section(t('incidentsOfBrand'), incidentsBox));
  const base = '/api/v1/brands/' + encodeURIComponent(id);

  async function loadName() {
    const brands = await api('/api/v1/brands').catch(() => null);
    const b = brands && (brands.items || []).find((x) => x.id === id);
    if (b && !destroyed) title.textContent = b.name || b.id;
  }

  async function loadSeries() {
    const r = range;
    let s;
    let top;
    try {
      [s, top] = await Promise.all([
        api(base + '/series?from=' + r.from + '&step=' + r.step),
        apiOptional(base + '/top?from=' + r.from + '&limit=10').catch(() => null),
      ]);
    } catch (e) {
      clear(chartsBox).append(h('p', {class: 'error'}, e.status === 404 ? t('notFound') : t('loadFailed', {why: e.message})));
      return;
    }
    if (destroyed || r !== range) return;
    for (const c of charts) c.destroy();
    charts = [];
    const buckets = s.buckets || [];
    const step = t('step_' + r.step);
    const x = buckets.map((b) => unixSeconds(b.t));
    const volume = timeChart({
      caption: t('brandVolume', {step}), x,
      series: [
        {label: t('mentions'), color: '--chart-count', values: buckets.map((b) => b.count), bars: true},
        {label: t('negative'), color: '--chart-neg', values: buckets.map((b) => b.negative)},
      ],
      y: {label: t('mentionsPer', {step})},
    });
    const sentiment = timeChart({
      caption: t('brandSentiment', {step}), x, height: 180,
      series: [{label: t('meanSentiment'), color: '--chart-mean', values: buckets.map((b) => (b.count ? b.mean_compound : null)),
        fmt: (v) => v.toFixed(2)}],
      y: {label: t('axisSentiment'), range: [-1, 1]},
    });
    charts.push(volume, sentiment);
    clear(chartsBox).append(volume, sentiment);
    clear(topBox);
    if (top && Array.isArray(top.topics)) {
      topBox.append(h('div', {class: 'panel'}, h('h2', null, t('topTopics')),
          top.topics.length ? topicsTable(top.topics) : h('p', {class: 'empty'}, t('none'))));
    }
    if (top && Array.isArray(top.authors)) {
      topBox.append(h('div', {class: 'panel'}, h('h2', null, t('topAuthors')),
          top.authors.length ? authorsTable(top.authors) : h('p', {class: 'empty'}, t('none'))));
    }
  }

  async function loadIncidents() {
    try {
      const page = await api('/api/v1/incidents?brand=' + encodeURIComponent(id) + '&limit=50');
      if (destroyed) return;
      const items = page.items || [];
      clear(incidentsBox).append(items.length ? h('ul', {class: 'incidents'}, items.map((inc) =>
        h('li', {class: 'panel sev-' + inc.severity, 'data-incident': inc.id},
            h('div', {class: 'row'}, incidentBadges(inc), link(paths.incident(inc.id), '#' + inc.id)),
            h('p', {class: 'summary'}, inc.summary || ''),
            h('p', {class: 'muted'}, timeEl(inc.opened_at), ' (', fmtAgo(inc.opened_at), ')')))) :
        h('p', {class: 'empty'}, t('noIncidents')));
    } catch (e) {
      clear(incidentsBox).append(h('p', {class: 'error'}, t('loadFailed', {why: e.message})));
    }
  }

  loadName();
  loadSeries();
  loadIncidents();
  return {
    onEvent(type, data) {
      if (type === 'incident' && data && data.incident && data.incident.brand === id) loadIncidents();
      if (type === 'mention' && data && data.brand === id && !timer) {
        timer = setTimeout(() => {
          timer = null;
          loadSeries();
        }, 15000);
      }
    },
    reload() {
      loadSeries();
      loadIncidents();
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      for (const c of charts) c.destroy();
    },
  };
}
