// The live stream: GET /api/v1/stream (server-sent events) read with fetch() and a ReadableStream, since
// EventSource cannot send the Authorization header. Frames are parsed as the SSE format says (field lines, a
// blank line ends an event, ":" lines are comments such as heartbeats); the last id seen is sent back as
// Last-Event-ID on reconnection, so that nothing is missed. A `reset` event means the server could not resume:
// the page reloads its data, then goes on live.
//
// Listeners: onEvent(type, data) for "mention" and "incident" (data parsed from JSON), onReset(), onState(state)
// with state "live", "down" (reconnecting) or "off" (the server has no stream, or the token was refused).
import {session} from './api.js';

export class LiveStream {
  constructor({onEvent, onReset, onState}) {
    this.onEvent = onEvent;
    this.onReset = onReset;
    this.onState = onState;
    this.lastId = '';
    this.retryMs = 3000;
    this.failures = 0;
    this.controller = null;
    this.stopped = false;
    this.state = 'down';
  }

  start() {
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  setState(s) {
    if (s === this.state) return;
    this.state = s;
    this.onState(s);
  }

  async loop() {
    while (!this.stopped) {
      const outcome = await this.connect();
      if (this.stopped || outcome === 'off') return;
      // A connection that ended after events came is retried after the server's `retry`; failures back off.
      const wait = outcome === 'ended' ? this.retryMs : Math.min(30000, this.retryMs * 2 ** Math.min(this.failures, 4));
      this.setState('down');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  // One connection, until it ends: "ended" (closed after a good start), "failed", or "off" (do not retry).
  async connect() {
    this.controller = new AbortController();
    const headers = {Authorization: 'Bearer ' + session.token, Accept: 'text/event-stream'};
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    let res;
    try {
      res = await fetch('/api/v1/stream', {headers, signal: this.controller.signal, cache: 'no-store'});
    } catch {
      this.failures++;
      return 'failed';
    }
    if (res.status === 404 || res.status === 401 || res.status === 403) {
      // No stream on this server, or a token that may not read it: the page works without live updates.
      this.setState('off');
      return 'off';
    }
    if (!res.ok || !res.body) {
      this.failures++;
      return 'failed';
    }
    this.failures = 0;
    this.setState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = {type: '', data: [], id: null};
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        // Lines end with \n, \r\n or \r; a trailing \r may be the first half of \r\n, so wait for more.
        let m;
        const re = /\r\n|\n|\r(?=[^\n])/g;
        let start = 0;
        while ((m = re.exec(buffer)) !== null) {
          const line = buffer.slice(start, m.index);
          start = m.index + m[0].length;
          event = this.line(line, event);
        }
        buffer = buffer.slice(start);
      }
    } catch {
      if (this.stopped) return 'off';
    }
    return 'ended';
  }

  // Applies one line to the event being read; returns the event to go on with.
  line(line, event) {
    if (line === '') {
      if (event.id !== null) this.lastId = event.id;
      if (event.data.length || event.type === 'reset') this.dispatch(event.type || 'message', event.data.join('\n'));
      return {type: '', data: [], id: null};
    }
    if (line.startsWith(':')) return event;  // a comment: heartbeat
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event.type = value;
    else if (field === 'data') event.data.push(value);
    else if (field === 'id' && !value.includes('\0')) event.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return event;
  }

  dispatch(type, data) {
    if (type === 'reset') {
      this.onReset();
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;  // a frame this page cannot read is skipped, the stream goes on
    }
    this.onEvent(type, parsed);
  }
}
