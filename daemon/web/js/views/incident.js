// An incident (/incidents/{id}): its state and severity; the first mention, when it fired and why, each
// escalation, the acknowledgement and the resolution with who and when; mentions per 5 minutes against the
// baseline the detector expected, with the negative share and mean sentiment, the moments of firing,
// acknowledgement and resolution marked; top posts, authors and topics; the timeline with repeats collapsed;
// the action log (notes, notifications and their outcome); and, for admin tokens, a note form, acknowledge and
// resolve. After resolution the page stays as the record. Live: the incident's events reload it.
import {h, clear, link, paths, safeLink, section} from '../dom.js';
import {t, label} from '../i18n.js';
import {api, session, canAct, brandName, ApiError} from '../api.js';
import {fmtDateTime, fmtNumber, fmtScore, fmtTime, timeEl} from '../format.js';
import {timeChart, unixSeconds} from '../charts.js';
import {renderTimeline} from '../timeline.js';

const SEVERITY_RANK = {critical: 3, warning: 2, info: 1};

export function sortBySeverity(items) {
  return [...items].sort((a, b) => (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0) ||
      String(b.opened_at || '').localeCompare(String(a.opened_at || '')));
}

export function incidentBadges(inc) {
  return [
    h('span', {class: 'badge sev-' + inc.severity}, label('sev', inc.severity)),
    h('span', {class: 'badge st-' + inc.status}, label('state', inc.status)),
  ];
}

// A post in one shape whether it comes from the mention JSON ({author: {handle, name, followers}}) or from a
// timeline's top_posts entry ({author: "handle", followers}).
function normalizePost(p) {
  const a = p.author && typeof p.author === 'object' ? p.author : {handle: p.author || '', name: ''};
  return {
    uid: p.uid,
    brand: p.brand,
    handle: a.handle || '',
    name: a.name || '',
    followers: a.followers ?? p.followers,
    reach: p.reach,
    text: p.text || p.title || '',
    url: p.url || '',
    created_at: p.created_at,
    platform: p.platform || '',
    sentiment: p.sentiment || null,
  };
}

export function postList(posts, {showBrand = false} = {}) {
  return h('ul', {class: 'posts'}, posts.map(normalizePost).map((p) => {
    const meta = [];
    if (p.name && p.name !== p.handle) meta.push(p.name + ' ');
    if (p.handle) meta.push('@' + p.handle);
    if (p.followers != null) meta.push(' · ' + fmtNumber(p.followers) + ' ' + t('followers'));
    if (p.platform) meta.push(' · ' + p.platform);
    if (showBrand && p.brand) meta.push(' · ', link(paths.brand(p.brand), brandName(p.brand)));
    if (p.created_at) meta.push(' · ', timeEl(p.created_at, fmtTime(p.created_at)));
    if (p.sentiment && typeof p.sentiment.compound === 'number') {
      const cls = p.sentiment.label === 'negative' ? 'neg' : p.sentiment.label === 'positive' ? 'pos' : '';
      meta.push(' · ', h('span', {class: cls}, (p.sentiment.label || '') + ' ' + fmtScore(p.sentiment.compound)));
    }
    const original = p.url ? safeLink(p.url, t('openOriginal')) : null;
    return h('li', {'data-uid': p.uid || ''},
        h('div', {class: 'post-meta'}, meta),
        h('p', {class: 'post-text'}, p.text),
        original ? h('div', {class: 'post-meta'}, original) : null);
  }));
}

function table(headers, rows) {
  return h('div', {class: 'table-wrap'}, h('table', null,
      h('thead', null, h('tr', null, headers.map(([text, num]) => h('th', {scope: 'col', class: num ? 'num' : null}, text)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) =>
        h('td', {class: headers[i][1] ? 'num' : null}, c)))))));
}

export function authorsTable(authors) {
  return table([[t('author')], [t('followers'), true], [t('mentions'), true], [t('reach'), true]],
      authors.map((a) => [
        [a.name && a.name !== a.handle ? h('div', null, a.name) : null,
          h('div', {class: 'post-meta'}, '@' + (a.handle || '?') + (a.platform ? ' · ' + a.platform : ''))],
        fmtNumber(a.followers), fmtNumber(a.mentions), fmtNumber(a.reach),
      ]));
}

export function topicsTable(topics) {
  return table([[t('topic')], [t('severity')], [t('mentions'), true]],
      topics.map((x) => [x.id, x.severity ? h('span', {class: 'badge sev-' + x.severity}, label('sev', x.severity)) : '',
        fmtNumber(x.mentions)]));
}

// The plain-text brief "copy summary" puts on the clipboard, for a statement or a chat.
export function plainSummary(inc, timeline) {
  const lines = [];
  lines.push(t('summaryTitle', {id: inc.id, brand: brandName(inc.brand)}) + ' — ' + label('sev', inc.severity) + ', ' +
      label('state', inc.status));
  lines.push(t('firstMention') + ': ' + fmtDateTime(inc.first_mention_at));
  lines.push(t('firedAt') + ': ' + fmtDateTime(inc.opened_at));
  lines.push(t('why') + ': ' + (inc.summary || ''));
  if (inc.last_summary && inc.last_summary !== inc.summary) lines.push('… ' + inc.last_summary);
  for (const e of timeline.filter((x) => x.kind === 'escalated')) {
    lines.push(t('escalations') + ': ' + fmtDateTime(e.at) + ' ' + (e.summary || ''));
  }
  if (inc.acknowledged_at) {
    lines.push(t('acknowledgement') + ': ' + t('by', {t: fmtDateTime(inc.acknowledged_at), who: inc.acknowledged_by || '?'}));
  }
  if (inc.resolved_at) {
    lines.push(t('resolution') + ': ' + t('by', {t: fmtDateTime(inc.resolved_at), who: inc.resolved_by || '?'}));
  }
  lines.push(t('findings') + ': ' + inc.findings);
  const posts = (inc.top_posts || []).slice(0, 3).map(normalizePost);
  if (posts.length) {
    lines.push('', t('topPosts') + ':');
    for (const p of posts) {
      lines.push('- @' + p.handle + ' (' + fmtNumber(p.followers ?? 0) + ' ' + t('followers') + '): ' + p.text +
          (p.url ? ' ' + p.url : ''));
    }
  }
  const notes = timeline.filter((x) => x.kind === 'note');
  if (notes.length) {
    lines.push('', t('notes') + ':');
    for (const n of notes) lines.push('- ' + fmtDateTime(n.at) + ' ' + (n.author || '') + ': ' + (n.text || ''));
  }
  lines.push('', location.origin + paths.incident(inc.id));
  return lines.join('\n');
}

// The buckets worth drawing: up to an hour past the last one with mentions or the last moment of the incident
// (an incident seen long after its posts would otherwise squeeze the crisis into a corner of the chart).
function chartWindow(buckets, inc) {
  let last = 0;
  for (const b of buckets) if (b.count > 0) last = Math.max(last, Date.parse(b.t));
  for (const at of [inc.opened_at, inc.last_fired_at, inc.acknowledged_at, inc.resolved_at]) {
    if (at) last = Math.max(last, Date.parse(at));
  }
  if (!last) return buckets;
  return buckets.filter((b) => Date.parse(b.t) <= last + 3600 * 1000);
}

export function renderIncident(main, {id, toast, isLive}) {
  let charts = [];
  let destroyed = false;
  let mentionTimer = null;
  let fallbackTimer = null;
  let brand = null;
  let burstTimer = null;
  const root = h('div', {class: 'stack', id: 'incident'});
  main.append(root);

  async function load() {
    let inc;
    try {
      inc = await api('/api/v1/incidents/' + encodeURIComponent(id));
    } catch (e) {
      if (destroyed) return;
      clear(root).append(h('h1', null, 'Incident ' + id),
          h('p', {class: 'error'}, e instanceof ApiError && e.status === 404 ? t('notFound') : t('loadFailed', {why: e.message})));
      return;
    }
    if (destroyed) return;
    brand = inc.brand;
    render(inc);
  }

  function render(inc) {
    // Keep what the person was typing, and where the page was, across a live refresh.
    const draft = root.querySelector('#note-text');
    const draftText = draft ? draft.value : '';
    const hadFocus = draft && document.activeElement === draft;
    const expanded = [...root.querySelectorAll('.timeline > li.grouped')].map((li) => !li.querySelector('ol').hidden);
    for (const c of charts) c.destroy();
    charts = [];
    clear(root);
    const timeline = Array.isArray(inc.timeline) ? inc.timeline : [];
    root.setAttribute('data-status', inc.status);

    root.append(h('h1', null, link(paths.brand(inc.brand), brandName(inc.brand)), ' · incident #' + inc.id),
        h('div', {class: 'row'}, incidentBadges(inc)),
        h('p', {class: 'summary'}, inc.summary || ''));
    if (inc.status === 'resolved') root.append(h('p', {class: 'panel muted', role: 'note'}, t('resolvedRecord')));
    root.append(actions(inc, timeline));
    loadSilences();
    root.append(facts(inc, timeline));

    const buckets = chartWindow(Array.isArray(inc.sentiment) ? inc.sentiment : [], inc);
    if (buckets.length) {
      const markers = [];
      if (inc.opened_at) markers.push({t: unixSeconds(inc.opened_at), kind: 'fired'});
      for (const e of timeline.filter((x) => x.kind === 'escalated')) markers.push({t: unixSeconds(e.at), kind: 'fired'});
      if (inc.acknowledged_at) markers.push({t: unixSeconds(inc.acknowledged_at), kind: 'acknowledged'});
      if (inc.resolved_at) markers.push({t: unixSeconds(inc.resolved_at), kind: 'resolved'});
      const x = buckets.map((b) => unixSeconds(b.t));
      const series = [{label: t('mentions'), color: '--chart-count', values: buckets.map((b) => b.count), bars: true}];
      if (buckets.some((b) => 'expected' in b)) {
        series.push({label: t('expected'), color: '--chart-expected', dash: [6, 4],
          values: buckets.map((b) => (typeof b.expected === 'number' ? b.expected : null)), fmt: (v) => v.toFixed(1)});
      }
      const volume = timeChart({caption: t('volumeChart', {step: t('step_5m')}), x, series, markers,
        y: {label: t('mentionsPer', {step: t('step_5m')})}});
      const sentiment = timeChart({
        caption: t('sentimentChart'), x, markers, height: 180,
        series: [
          {label: t('negativeShare'), color: '--chart-neg',
            values: buckets.map((b) => (b.count ? (100 * b.negative) / b.count : null)), fmt: (v) => v.toFixed(0) + ' %'},
          {label: t('meanSentiment'), color: '--chart-mean', scale: 'r',
            values: buckets.map((b) => (b.count ? b.mean_compound : null)), fmt: (v) => v.toFixed(2)},
        ],
        y: {label: t('axisShare'), range: [0, 100]},
        r: {label: t('axisSentiment'), range: [-1, 1]},
      });
      charts.push(volume, sentiment);
      root.append(h('section', {class: 'panel stack'}, volume, sentiment));
    }

    const posts = Array.isArray(inc.top_posts) ? inc.top_posts :
      (timeline.find((e) => e.kind === 'top_posts') || {}).posts;
    if (Array.isArray(posts) && posts.length) root.append(section(t('topPosts'), postList(posts)));
    const columns = h('div', {class: 'grid wide'});
    if (Array.isArray(inc.top_authors) && inc.top_authors.length) {
      columns.append(h('div', {class: 'panel'}, h('h3', null, t('topAuthors')), authorsTable(inc.top_authors)));
    }
    if (Array.isArray(inc.top_topics) && inc.top_topics.length) {
      columns.append(h('div', {class: 'panel'}, h('h3', null, t('topTopics')), topicsTable(inc.top_topics)));
    }
    if (columns.childElementCount) root.append(columns);

    root.append(section(t('timeline'), renderTimeline(timeline)));
    [...root.querySelectorAll('.timeline > li.grouped')].forEach((li, i) => {
      if (expanded[i]) li.querySelector('button').click();
    });
    root.append(actionLog(inc, timeline));
    const form = noteForm(inc);
    if (form) {
      root.append(form);
      const area = form.querySelector('#note-text');
      area.value = draftText;
      if (hadFocus) area.focus();
    }
  }

  function actions(inc, timeline) {
    const row = h('div', {class: 'row', id: 'incident-actions'});
    if (canAct() && inc.status !== 'resolved') {
      if (inc.status !== 'acknowledged') {
        row.append(h('button', {type: 'button', class: 'primary', id: 'ack',
          onclick: (ev) => act(ev.currentTarget, 'ack', {by: session.name || undefined})}, t('acknowledge')));
      }
      row.append(h('button', {type: 'button', id: 'resolve', onclick: (ev) => {
        if (confirm(t('confirmResolve'))) act(ev.currentTarget, 'resolve', {by: session.name || undefined});
      }}, t('resolve')));
    }
    if (canAct() && inc.status !== 'resolved') {
      const hours = h('select', {id: 'silence-hours', 'aria-label': t('silence') + ' ' + t('silenceFor')},
          [1, 4, 24].map((n) => h('option', {value: n}, t('hours', {n}))));
      row.append(h('span', {class: 'row'},
          h('button', {type: 'button', id: 'silence', onclick: (ev) => silence(ev.currentTarget, inc, Number(hours.value))},
              t('silence')), t('silenceFor'), hours));
    }
    const copyBox = h('div');
    row.append(h('button', {type: 'button', id: 'copy-summary', onclick: () => copySummary(inc, timeline, copyBox)},
        t('copySummary')));
    return h('div', null, row, h('div', {id: 'silences'}), copyBox);
  }

  async function copySummary(inc, timeline, box) {
    const text = plainSummary(inc, timeline);
    clear(box);
    try {
      await navigator.clipboard.writeText(text);
      toast(t('copied'));
    } catch {
      const area = h('textarea', {readonly: true, 'aria-label': t('copySummary'), rows: 10});
      area.value = text;
      box.append(area);
      area.select();
      toast(t('copyFailed'));
    }
  }

  // Mutes the brand's notifications (POST /api/v1/silences); the incident itself goes on.
  async function silence(button, inc, hours) {
    button.disabled = true;
    try {
      const s = await api('/api/v1/silences', {method: 'POST', body: {brand: inc.brand, ends_at: '+' + hours + 'h',
        comment: t('silenceComment', {who: session.name || session.tokenName || '?', id: inc.id})}});
      toast(t('silenced', {brand: inc.brand, t: fmtDateTime(s && s.ends_at)}));
      loadSilences();
    } catch (e) {
      toast(e.message);
    }
    button.disabled = false;
  }

  // The brand's silences in force, said under the actions.
  async function loadSilences() {
    const box = root.querySelector('#silences');
    if (!box || !brand) return;
    const list = await api('/api/v1/silences').catch(() => null);
    if (!list || destroyed) return;
    const now = Date.now();
    const active = (list.items || []).filter((x) => x.brand === brand && Date.parse(x.ends_at) > now &&
        (!x.starts_at || Date.parse(x.starts_at) <= now));
    const until = active.reduce((m, x) => Math.max(m, Date.parse(x.ends_at)), 0);
    clear(box);
    if (until) box.append(h('p', {class: 'muted'}, t('silencedUntil', {t: fmtDateTime(new Date(until).toISOString())})));
  }

  async function act(button, what, body) {
    button.disabled = true;
    try {
      await api('/api/v1/incidents/' + encodeURIComponent(id) + '/' + what, {method: 'POST', body});
      afterAction();
    } catch (e) {
      toast(e.message);
      button.disabled = false;
    }
  }

  // After an action the stream brings the incident's event, which reloads the page; without a live stream (or
  // should the event not come) it is reloaded here.
  function afterAction() {
    clearTimeout(fallbackTimer);
    if (!isLive()) load();
    else fallbackTimer = setTimeout(load, 5000);
  }

  function facts(inc, timeline) {
    const dl = h('dl', {class: 'facts panel'});
    const row = (term, ...value) => dl.append(h('dt', null, term), h('dd', null, ...value));
    row(t('state'), label('state', inc.status));
    row(t('severity'), label('sev', inc.severity));
    row(t('brand'), link(paths.brand(inc.brand), brandName(inc.brand)));
    const first = inc.first_post ? normalizePost(inc.first_post) : null;
    row(t('firstMention'), timeEl(inc.first_mention_at),
        first ? [' — @' + first.handle + ': ', h('span', {class: 'summary', id: 'first-post'}, first.text)] : null);
    row(t('firedAt'), timeEl(inc.opened_at), inc.detectors && inc.detectors.length ? ' (' + inc.detectors.join(', ') + ')' : '');
    row(t('why'), h('span', {class: 'summary'}, inc.summary || ''));
    const escalations = timeline.filter((x) => x.kind === 'escalated');
    if (escalations.length) {
      row(t('escalations'), h('ul', null, escalations.map((e) =>
        h('li', null, timeEl(e.at, fmtTime(e.at)), ' ', label('sev', e.severity), ': ', e.summary || ''))));
    }
    row(t('acknowledgement'), inc.acknowledged_at ?
      [timeEl(inc.acknowledged_at), ' — ', inc.acknowledged_by || '?'] : t('notAcked'));
    row(t('resolution'), inc.resolved_at ? [timeEl(inc.resolved_at), ' — ', inc.resolved_by || '?'] : t('none'));
    row(t('findings'), fmtNumber(inc.findings));
    return dl;
  }

  function actionLog(inc, timeline) {
    const notes = timeline.filter((x) => x.kind === 'note');
    const box = section(t('actionLog'), h('h3', null, t('notes')),
        notes.length ? h('ul', {class: 'posts', id: 'notes'}, notes.map((n) => h('li', null,
          h('div', {class: 'post-meta'}, n.author || '?', ' · ', timeEl(n.at, fmtTime(n.at))),
          h('p', {class: 'post-text note-text'}, n.text || '')))) :
          h('p', {class: 'empty', id: 'notes'}, t('noNotes')));
    if (Array.isArray(inc.notifications)) {
      box.append(h('h3', null, t('notifications')));
      box.append(inc.notifications.length ? table(
          [[t('time')], [t('receiver')], [t('type')], [t('outcome')], [t('attempts'), true], [t('lastError')]],
          inc.notifications.map((n) => [timeEl(n.created_at, fmtTime(n.created_at)), n.notifier || '', n.type || '',
            h('span', {class: 'badge outcome-' + n.status}, label('outcome', n.status)), fmtNumber(n.attempts),
            n.last_error || (n.last_status ? String(n.last_status) : '')])) :
        h('p', {class: 'empty'}, t('noNotifications')));
    }
    return box;
  }

  function noteForm(inc) {
    if (!canAct() || inc.status === 'resolved') return null;
    const area = h('textarea', {id: 'note-text', name: 'text', required: true, maxlength: 4000});
    const submit = h('button', {type: 'submit', class: 'primary', id: 'note-submit'}, t('save'));
    const form = h('form', {class: 'panel', id: 'note-form', 'aria-labelledby': 'note-title'},
        h('h2', {id: 'note-title'}, t('addNote')),
        h('div', {class: 'field'}, h('label', {for: 'note-text'}, t('noteText')), area),
        h('div', {class: 'actions'}, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = area.value.trim();
      if (!text) return;
      submit.disabled = true;
      try {
        await api('/api/v1/incidents/' + encodeURIComponent(id) + '/notes', {
          method: 'POST', body: {text, author: session.name || undefined}});
        area.value = '';
        toast(t('noteAdded'));
        afterAction();
      } catch (e) {
        toast(e.message);
      }
      submit.disabled = false;
    });
    return form;
  }

  load();
  return {
    onEvent(type, data) {
      if (type === 'incident' && data && data.incident && String(data.incident.id) === String(id)) {
        // At crisis scale the incident changes many times a second: one reload for a burst of events.
        clearTimeout(fallbackTimer);
        if (!burstTimer) {
          burstTimer = setTimeout(() => {
            burstTimer = null;
            load();
          }, 300);
        }
      } else if (type === 'mention' && data && data.brand === brand && !mentionTimer) {
        mentionTimer = setTimeout(() => {
          mentionTimer = null;
          load();
        }, 15000);
      }
    },
    reload: load,
    destroy() {
      destroyed = true;
      clearTimeout(mentionTimer);
      clearTimeout(fallbackTimer);
      clearTimeout(burstTimer);
      for (const c of charts) c.destroy();
    },
  };
}
