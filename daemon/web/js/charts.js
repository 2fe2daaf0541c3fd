// Charts over time with uPlot (vendored, daemon/web/vendor/uplot/), each in a <figure> whose caption says what is
// drawn and in which unit, with uPlot's legend under it (the value of every series at the pointer), axes labelled
// with their units, times in the browser's zone, and optional vertical markers (when an incident fired, was
// acknowledged, was resolved) explained by a legend of their own.
import {h} from './dom.js';
import {t, lang} from './i18n.js';
import {fmtNumber} from './format.js';

const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
const clock = new Intl.DateTimeFormat(locale, {hour: '2-digit', minute: '2-digit'});
const day = new Intl.DateTimeFormat(locale, {day: 'numeric', month: 'short'});
const full = new Intl.DateTimeFormat(locale, {dateStyle: 'medium', timeStyle: 'short'});

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

const MARKERS = {
  fired: {color: '--chart-neg', label: 'fired', cls: 'm-fired'},
  acknowledged: {color: '--chart-expected', label: 'acknowledged', cls: 'm-ack'},
  resolved: {color: '--chart-mean', label: 'resolved', cls: 'm-resolved'},
};

// timeChart({caption, x: [unix seconds], series: [{label, color (CSS var), values, scale ("y"|"r"), dash, bars,
// fmt}], y: {label, range}, r: {label, range}, markers: [{t: unix seconds, kind}], height}): a <figure> holding
// the chart; call .destroy() on it when the view goes.
export function timeChart(spec) {
  const box = h('div', {class: 'chart-box', role: 'img', 'aria-label': spec.caption});
  const fig = h('figure', {class: 'chart'}, h('figcaption', null, spec.caption), box);
  const kinds = [...new Set((spec.markers || []).map((m) => m.kind))].filter((k) => MARKERS[k]);
  if (kinds.length) {
    fig.append(h('div', {class: 'marker-legend'},
        kinds.map((k) => h('span', {class: MARKERS[k].cls}, t(MARKERS[k].label)))));
  }
  fig.destroy = () => {};
  if (!spec.x.length) {
    box.append(h('p', {class: 'empty'}, t('noPosts')));
    return fig;
  }
  if (typeof window.uPlot !== 'function') {
    box.append(h('p', {class: 'empty'}, spec.caption));
    return fig;
  }
  const uPlot = window.uPlot;
  const text = cssVar('--text');
  const grid = cssVar('--line');
  const span = spec.x[spec.x.length - 1] - spec.x[0];
  const series = [{label: t('time'), value: (u, v) => (v == null ? '' : full.format(new Date(v * 1000)))}];
  for (const s of spec.series) {
    const color = cssVar(s.color);
    series.push({
      label: s.label,
      stroke: color,
      width: 2,
      dash: s.dash,
      scale: s.scale || 'y',
      fill: s.bars ? color + '55' : undefined,
      paths: s.bars && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({size: [0.7, 40]}) : undefined,
      points: {show: false},
      spanGaps: false,
      value: (u, v) => (v == null ? '—' : s.fmt ? s.fmt(v) : fmtNumber(v)),
    });
  }
  const axes = [
    {
      stroke: text,
      grid: {stroke: grid, width: 1},
      ticks: {stroke: grid},
      // Over days, a tick at midnight names the day and the others the hour; within two days, hours only.
      values: (u, splits) => splits.map((v) => {
        const d = new Date(v * 1000);
        return span > 2 * 86400 && d.getHours() === 0 && d.getMinutes() === 0 ? day.format(d) : span > 2 * 86400 && span < 8 * 86400 ? clock.format(d) : span >= 8 * 86400 ? day.format(d) : clock.format(d);
      }),
    },
    {scale: 'y', label: spec.y.label, stroke: text, grid: {stroke: grid, width: 1}, ticks: {stroke: grid}},
  ];
  const scales = {x: {time: true}, y: spec.y.range ? {range: spec.y.range} : {range: (u, min, max) => [0, Math.max(1, max * 1.1)]}};
  if (spec.r) {
    axes.push({scale: 'r', side: 1, label: spec.r.label, stroke: text, grid: {show: false}, ticks: {stroke: grid}});
    scales.r = {range: spec.r.range || [-1, 1]};
  }
  const markers = (spec.markers || []).filter((m) => MARKERS[m.kind] && Number.isFinite(m.t));
  const drawMarkers = (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    for (const m of markers) {
      const x = u.valToPos(m.t, 'x', true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.strokeStyle = cssVar(MARKERS[m.kind].color);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
  const data = [spec.x, ...spec.series.map((s) => s.values)];
  const width = () => Math.max(260, box.clientWidth || fig.clientWidth || 600);
  const opts = {
    width: width(),
    height: spec.height || 220,
    series,
    axes,
    scales,
    legend: {show: true, live: true},
    cursor: {drag: {x: false, y: false}},
    hooks: {draw: [drawMarkers]},
  };
  let plot = null;
  // uPlot needs the box's width: it is created once the figure is in the document.
  const create = () => {
    if (plot || !box.isConnected) return;
    opts.width = width();
    plot = new uPlot(opts, data, box);
  };
  const ro = new ResizeObserver(() => {
    if (!plot) create();
    else plot.setSize({width: width(), height: opts.height});
  });
  ro.observe(box);
  requestAnimationFrame(create);
  fig.destroy = () => {
    ro.disconnect();
    if (plot) plot.destroy();
    plot = null;
  };
  return fig;
}

export function unixSeconds(iso) {
  return Math.floor(new Date(iso).getTime() / 1000);
}
