// Times in the browser's time zone and numbers in the page's language, through Intl.
import {lang} from './i18n.js';

const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
const dateTime = new Intl.DateTimeFormat(locale, {dateStyle: 'medium', timeStyle: 'short'});
const timeOnly = new Intl.DateTimeFormat(locale, {hour: '2-digit', minute: '2-digit'});
const dayTime = new Intl.DateTimeFormat(locale, {weekday: 'short', hour: '2-digit', minute: '2-digit'});
const number = new Intl.NumberFormat(locale);
const compact = new Intl.NumberFormat(locale, {notation: 'compact', maximumFractionDigits: 1});
const signed = new Intl.NumberFormat(locale, {signDisplay: 'always', maximumFractionDigits: 2});
const relative = new Intl.RelativeTimeFormat(locale, {numeric: 'auto'});

export function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// "3 Dec 2026, 14:05" in the browser's zone; "" for a missing time.
export function fmtDateTime(iso) {
  const d = toDate(iso);
  return d ? dateTime.format(d) : '';
}

// "14:05" when the time is today, else the date too.
export function fmtTime(iso) {
  const d = toDate(iso);
  if (!d) return '';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

export function fmtClock(d) {
  return timeOnly.format(d);
}

export function fmtDayClock(d) {
  return dayTime.format(d);
}

// "5 minutes ago", "yesterday".
export function fmtAgo(iso) {
  const d = toDate(iso);
  if (!d) return '';
  const s = (d.getTime() - Date.now()) / 1000;
  const abs = Math.abs(s);
  if (abs < 60) return relative.format(Math.round(s), 'second');
  if (abs < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(s / 3600), 'hour');
  return relative.format(Math.round(s / 86400), 'day');
}

export function fmtNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) ? number.format(n) : '';
}

export function fmtCompact(n) {
  return typeof n === 'number' && Number.isFinite(n) ? compact.format(n) : '';
}

export function fmtScore(n) {
  return typeof n === 'number' && Number.isFinite(n) ? signed.format(n) : '';
}

// A <time> element showing `text` (default: the date and time), with the exact instant in datetime and title.
export function timeEl(iso, text) {
  const el = document.createElement('time');
  const d = toDate(iso);
  if (d) {
    el.dateTime = d.toISOString();
    el.title = dateTime.format(d);
  }
  el.textContent = text ?? fmtDateTime(iso);
  return el;
}
