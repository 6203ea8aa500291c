// The live event stream, read with fetch and a ReadableStream: EventSource cannot send the
// Authorization header. Reconnects on its own and resumes strictly after the last event seen
// (Last-Event-ID), so nothing is lost and nothing repeats.
import { authHeaders, storedToken } from "./api.js";

/** Split a text/event-stream into events: {id, event, data}; comments (keep-alives) skipped. */
export function parseBlock(block) {
  const out = { id: null, event: "message", data: [], retry: null };
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") out.id = value;
    else if (field === "event") out.event = value;
    else if (field === "data") out.data.push(value);
    else if (field === "retry") out.retry = Number(value);
  }
  return out;
}

export class LiveStream {
  /**
   * @param {object} handlers onEvent(event) for each event's data object, onCheckpoint(data)
   *   for each signed ledger checkpoint, onOpen() after each (re)connection, onState(text) for
   *   "live", "reconnecting", "offline", onUnauthorized() when the server refuses the token,
   *   and (optional) onSeen(id) once an event was handled, to remember where to resume.
   * @param {string|null} after start after this seq ("0" = from the start; null = from now).
   */
  constructor(handlers, after = null) {
    this.handlers = handlers;
    this.lastId = after;
    this.retryMs = 1000;
    this.controller = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this._loop();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
    this.handlers.onState("offline");
  }

  async _loop() {
    while (!this.stopped) {
      try {
        await this._once();
      } catch (err) {
        if (this.stopped) return;
      }
      if (this.stopped) return;
      this.handlers.onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  async _once() {
    if (!storedToken()) {
      this.stopped = true; // signed out (the page is reloading): nothing to connect with
      return;
    }
    this.controller = new AbortController();
    const headers = { ...authHeaders(), Accept: "text/event-stream" };
    if (this.lastId !== null) headers["Last-Event-ID"] = this.lastId;
    const answer = await fetch("/v1/events", { headers, signal: this.controller.signal });
    if (answer.status === 401) {
      this.stopped = true; // the token was revoked or is wrong: retrying cannot help
      this.handlers.onUnauthorized();
      return;
    }
    if (!answer.ok || !answer.body) throw new Error(`stream answered ${answer.status}`);
    this.handlers.onState("live");
    this.handlers.onOpen();
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const parsed = parseBlock(block);
        if (parsed.retry !== null && Number.isFinite(parsed.retry)) this.retryMs = parsed.retry;
        if (!parsed.data.length) continue;
        if (parsed.id !== null) this.lastId = parsed.id;
        try {
          const data = JSON.parse(parsed.data.join("\n"));
          // signed ledger checkpoints come as their own frames, without an id: receipts to keep
          if (parsed.event === "checkpoint") this.handlers.onCheckpoint(data);
          else this.handlers.onEvent(data);
        } catch (err) {
          console.error("bad event", err);
        }
        if (parsed.id !== null && this.handlers.onSeen) this.handlers.onSeen(parsed.id);
      }
    }
  }
}
