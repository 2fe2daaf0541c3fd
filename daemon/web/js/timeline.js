// An incident's timeline, readable at crisis scale: consecutive entries of the same kind, detector and severity
// (the same detector firing again on one more post) collapse into one line with a count and the span of time,
// expandable. People's entries (notes, acknowledgements, resolution) and the first mention never collapse.
import {h} from './dom.js';
import {t, label} from './i18n.js';
import {fmtClock, fmtTime, timeEl, toDate} from './format.js';

const GROUPABLE = new Set(['fired', 'escalated', 'reminder', 'top_posts']);

// [{entries: [e, ...]}] in timeline order; a group holds one entry or a run of repeats.
export function groupTimeline(entries) {
  const groups = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    const head = last && last.entries[0];
    if (head && GROUPABLE.has(e.kind) && e.kind === head.kind && e.detector === head.detector &&
        e.severity === head.severity) {
      last.entries.push(e);
    } else {
      groups.push({entries: [e]});
    }
  }
  return groups;
}

function who(e) {
  return e.author || e.by || '?';
}

// The words of one entry (without its time).
export function entryText(e) {
  switch (e.kind) {
    case 'note':
      return [t('kind_note', {who: who(e)}) + ': ', h('span', {class: 'note-text'}, e.text || '')];
    case 'acknowledged':
    case 'resolved':
      return [t('kind_' + e.kind, {who: who(e)})];
    case 'top_posts':
      return [t('kind_top_posts') + (Array.isArray(e.posts) ? ' (' + e.posts.length + ')' : '')];
    case 'fired':
    case 'escalated': {
      const head = [label('kind', e.kind)];
      if (e.severity) head.push(' ', h('span', {class: 'badge sev-' + e.severity}, label('sev', e.severity)));
      if (e.detector) head.push(' ', e.detector);
      if (e.summary) head.push(': ', h('span', {class: 'summary'}, e.summary));
      return head;
    }
    default:
      return [label('kind', e.kind), e.summary ? ': ' + e.summary : ''];
  }
}

function entryItem(e) {
  return h('li', {class: 'kind-' + String(e.kind || '').replace(/[^a-z_]/g, '')}, timeEl(e.at, fmtTime(e.at)),
      entryText(e));
}

// The top posts recorded when the incident opened are shown in their own section, not as a line here (they
// would also cut the run of repeats that follows the first firing).
export function renderTimeline(entries) {
  const list = h('ol', {class: 'timeline', 'aria-label': t('timeline')});
  for (const g of groupTimeline(entries.filter((e) => e.kind !== 'top_posts'))) {
    if (g.entries.length === 1) {
      list.append(entryItem(g.entries[0]));
      continue;
    }
    const first = g.entries[0];
    const last = g.entries[g.entries.length - 1];
    const from = toDate(first.at);
    const to = toDate(last.at);
    const more = t('moreOf', {
      n: g.entries.length - 1,
      from: from ? fmtClock(from) : '?',
      to: to ? fmtClock(to) : '?',
    });
    const inner = h('ol', {class: 'group', hidden: true});
    for (const e of g.entries) inner.append(entryItem(e));
    const toggle = h('button', {type: 'button', class: 'linklike', 'aria-expanded': 'false'},
        t('showAll', {n: g.entries.length}));
    toggle.addEventListener('click', () => {
      const open = inner.hidden;
      inner.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? t('hide') : t('showAll', {n: g.entries.length});
    });
    list.append(h('li', {class: 'kind-' + first.kind + ' grouped', 'data-count': g.entries.length},
        timeEl(first.at, fmtTime(first.at)), entryText(first), ' ', h('span', {class: 'muted'}, '(' + more + ') '),
        toggle, inner));
  }
  return list;
}
