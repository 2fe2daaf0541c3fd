// The overview (/): open incidents by severity, each brand's mentions and mean sentiment over the last 24 hours,
// and the latest negative posts with the most reach. Live: an incident event reloads the incidents, mentions
// reload the brands (at most every 10 s).
import {h, clear, link, paths, section} from '../dom.js';
import {t} from '../i18n.js';
import {api, apiOptional, brandName} from '../api.js';
import {fmtAgo, fmtNumber, timeEl} from '../format.js';
import {timeChart, unixSeconds} from '../charts.js';
import {postList, sortBySeverity, incidentBadges} from './incident.js';

export function renderOverview(main) {
  const incidentsBox = h('div', {id: 'open-incidents'});
  const brandsBox = h('div', {class: 'grid', id: 'brands'});
  const postsBox = h('div', {id: 'negative-posts'});
  main.append(
      h('h1', null, t('overview')),
      section(t('openIncidents'), incidentsBox),
      section(t('brands'), brandsBox),
      section(t('negativePosts'), postsBox));
  let charts = [];
  let brandTimer = null;
  let incidentTimer = null;
  let destroyed = false;

  async function loadIncidents() {
    try {
      const page = await api('/api/v1/incidents?status=active&limit=200');
      if (destroyed) return;
      clear(incidentsBox);
      const items = sortBySeverity(page.items || []);
      if (!items.length) {
        incidentsBox.append(h('p', {class: 'empty'}, t('noOpenIncidents')));
        return;
      }
      incidentsBox.append(h('ul', {class: 'incidents'}, items.map(incidentCard)));
    } catch (e) {
      clear(incidentsBox).append(h('p', {class: 'error'}, t('loadFailed', {why: e.message})));
    }
  }

  async function loadBrands() {
    let brands;
    try {
      brands = (await api('/api/v1/brands')).items || [];
    } catch (e) {
      clear(brandsBox).append(h('p', {class: 'error'}, t('loadFailed', {why: e.message})));
      return;
    }
    const series = await Promise.all(brands.map((b) =>
      apiOptional('/api/v1/brands/' + encodeURIComponent(b.id) + '/series?from=-24h&step=1h').catch(() => null)));
    const posts = await Promise.all(brands.map((b) => negativePosts(b.id).catch(() => [])));
    if (destroyed) return;
    for (const c of charts) c.destroy();
    charts = [];
    clear(brandsBox);
    if (!brands.length) brandsBox.append(h('p', {class: 'empty'}, t('noBrands')));
    brands.forEach((b, i) => {
      const last = b.last_24h || {};
      const card = h('article', {class: 'panel stack', 'data-brand': b.id},
          h('h3', null, link(paths.brand(b.id), b.name || b.id)),
          h('p', {class: 'muted'}, t('mentions24h', {n: fmtNumber(last.count ?? 0), neg: fmtNumber(last.negative ?? 0)})));
      const s = series[i];
      if (s && Array.isArray(s.buckets)) {
        const chart = brandChart(s.buckets, t('brandVolume', {step: t('step_1h')}));
        charts.push(chart);
        card.append(chart);
      }
      brandsBox.append(card);
    });
    const all = posts.flat().sort((a, b) => (b.reach || 0) - (a.reach || 0)).slice(0, 10);
    clear(postsBox).append(all.length ? postList(all, {showBrand: true}) : h('p', {class: 'empty'}, t('noPosts')));
  }

  loadIncidents();
  loadBrands();
  return {
    onEvent(type) {
      if (type === 'incident' && !incidentTimer) {
        incidentTimer = setTimeout(() => {
          incidentTimer = null;
          loadIncidents();
        }, 300);
      }
      if (type === 'mention' && !brandTimer) {
        brandTimer = setTimeout(() => {
          brandTimer = null;
          loadBrands();
        }, 10000);
      }
    },
    reload() {
      loadIncidents();
      loadBrands();
    },
    destroy() {
      destroyed = true;
      clearTimeout(brandTimer);
      clearTimeout(incidentTimer);
      for (const c of charts) c.destroy();
    },
  };
}

function incidentCard(inc) {
  const since = inc.opened_at || inc.first_mention_at;
  return h('li', {class: 'panel sev-' + inc.severity, 'data-incident': inc.id},
      h('div', {class: 'row'}, incidentBadges(inc),
          link(paths.incident(inc.id), h('span', {class: 'incident-title'}, brandName(inc.brand) + ' #' + inc.id))),
      h('p', {class: 'summary'}, inc.summary || ''),
      h('p', {class: 'muted'},
          t('since', {t: fmtAgo(since)}), ' (', timeEl(since), ') · ',
          inc.acknowledged_by ? t('ackBy', {who: inc.acknowledged_by}) : t('notAcked')));
}

// The brand's most-reached negative posts of the last 24 hours: GET /brands/{id}/top where the server has it,
// else the negative mentions of the day sorted here.
async function negativePosts(brand) {
  const id = encodeURIComponent(brand);
  const top = await apiOptional('/api/v1/brands/' + id + '/top?sentiment=negative&limit=10');
  if (top && Array.isArray(top.posts)) return top.posts;
  const page = await api('/api/v1/brands/' + id + '/mentions?from=-24h&sentiment=negative&limit=200');
  return (page.items || []).sort((a, b) => (b.reach || 0) - (a.reach || 0)).slice(0, 10);
}

// Mentions (bars, left axis) and mean sentiment (line, right axis, −1 to +1) per bucket.
export function brandChart(buckets, caption, height = 160) {
  return timeChart({
    caption: caption + ' · ' + t('meanSentiment'),
    x: buckets.map((b) => unixSeconds(b.t)),
    series: [
      {label: t('mentions'), color: '--chart-count', values: buckets.map((b) => b.count), bars: true},
      {
        label: t('meanSentiment'),
        color: '--chart-mean',
        scale: 'r',
        values: buckets.map((b) => (b.count ? b.mean_compound : null)),
        fmt: (v) => v.toFixed(2),
      },
    ],
    y: {label: t('mentions')},
    r: {label: t('axisSentiment'), range: [-1, 1]},
    height,
  });
}
