// Building the page's elements. Every piece of data goes in as text (a text node or textContent), never as
// HTML: post texts, author names and notes come from anyone on the internet.

// h('li', {class: 'x', onclick: fn, 'aria-label': '...'}, child, ...): an element. Children are nodes, strings
// (made text nodes), arrays of those, or null/undefined/false (skipped). Attributes whose name starts with "on"
// become event listeners; "class" sets className; every other attribute is set with setAttribute, so a value is
// never parsed as markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'href') throw new Error('h(): use link() or safeLink() for href');
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A link inside the app (handled by the router without a page load). `path` is built by the caller from
// encoded ids (see paths below).
export function link(path, ...children) {
  const a = h('a', {'data-nav': true}, ...children);
  a.href = path;
  return a;
}

export const paths = {
  overview: () => '/',
  incident: (id) => '/incidents/' + encodeURIComponent(id),
  brand: (id) => '/brands/' + encodeURIComponent(id),
};

// A link to somewhere outside, only for http(s) URLs (a javascript: or data: URL in a post is shown as text);
// it opens in a new tab without telling the target where it came from.
export function safeLink(url, ...children) {
  let parsed = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  const a = h('a', {rel: 'noopener noreferrer', target: '_blank'}, ...children);
  a.href = parsed.href;
  return a;
}

// A section with a heading that the view fills, or hides when it has nothing to show.
export function section(title, ...children) {
  return h('section', {class: 'stack'}, h('h2', null, title), ...children);
}
