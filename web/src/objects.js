// The objects panel: notices, zones and conflicts as lists; a click shows one on the map with
// its details; own notices can be cancelled from here.
import { authHeaders, post } from "./api.js";
import { band, conflictTitle, esc, partyName, utc } from "./format.js";

export class ObjectList {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.el.addEventListener("click", (e) => {
      const amend = e.target.closest("[data-amend]");
      if (amend) {
        const notice = this.app.state.notices.find((n) => n.id === amend.dataset.amend);
        if (notice) this.app.filing.amend(notice);
        return;
      }
      const cancel = e.target.closest("[data-cancel]");
      if (cancel) {
        this.cancel(cancel.dataset.cancel);
        return;
      }
      const row = e.target.closest("[data-ref]");
      if (row) {
        const [type, id] = row.dataset.ref.split("|");
        this.select({ type, id });
      }
    });
  }

  select(ref) {
    const s = this.app.state;
    let outline = null;
    if (ref.type === "notice") outline = s.notices.find((n) => n.id === ref.id)?.volumes[0]?.outline;
    else if (ref.type === "zone") outline = s.zones.find((z) => z.id === ref.id)?.volume.outline;
    if (outline) this.app.map.focus(outline);
    this.selected = ref;
    this.timeline = null;
    this.render();
    this.loadTimeline(ref);
  }

  /** The ledger entries about one object (those the operator may see), oldest first. Reads the
   * whole ledger export: fine for a mechanism's day, to be replaced by a per-object route. */
  async loadTimeline(ref) {
    try {
      const answer = await fetch("/v1/ledger", { headers: authHeaders() });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      const lines = (await answer.text()).split("\n").filter(Boolean);
      const entries = lines
        .map((line) => JSON.parse(line))
        .filter((e) => !e.redacted && e.payload && JSON.stringify(e.payload).includes(ref.id));
      if (this.selected === ref) {
        this.timeline = entries;
        this.render();
      }
    } catch (err) {
      if (this.selected === ref) {
        this.timeline = `ledger not available: ${err.message}`;
        this.render();
      }
    }
  }

  timelineHtml() {
    if (!this.selected) return "";
    const head = `<h3>Ledger timeline of <code>${esc(this.selected.id)}</code></h3>`;
    if (this.timeline === null) return `${head}<p class="muted">loading…</p>`;
    if (typeof this.timeline === "string") return `${head}<p class="muted">${esc(this.timeline)}</p>`;
    return `${head}<ol class="timeline" id="timeline">${this.timeline
      .map(
        (e) =>
          `<li><code>#${e.seq}</code> ${esc(utc(e.time))} <strong>${esc(e.type)}</strong> by ${esc(e.actor)}${e.party_sig ? " · signed by the party" : ""}<br><span class="muted" title="${esc(e.hash)}">hash ${esc(String(e.hash).slice(0, 16))}…</span></li>`,
      )
      .join("")}</ol>`;
  }

  async cancel(id) {
    try {
      await post(`/v1/notices/${encodeURIComponent(id)}/cancel`);
      this.app.toast(`cancelled ${id}`);
    } catch (err) {
      this.app.toast(`not cancelled: ${err.message}`);
    }
    this.app.refresh(["notices", "conflicts", "pending"]);
  }

  render() {
    const s = this.app.state;
    const sel = this.selected ? `${this.selected.type}|${this.selected.id}` : "";
    const li = (ref, html) => `<li data-ref="${esc(ref)}" class="${ref === sel ? "selected" : ""}">${html}</li>`;
    const notices = s.notices.filter((n) => n.status !== "cancelled" && n.status !== "ended");
    const own = notices.filter((n) => n.party === s.me.party);
    const others = notices.filter((n) => n.party !== s.me.party);
    const noticeRow = (n, mine) =>
      li(
        `notice|${n.id}`,
        `<strong>${esc(n.title)}</strong> <span class="chip">${esc(n.kind)}</span>${n.late ? ' <span class="late">late</span>' : ""}${n.redacted ? " <em>partial</em>" : ""}<br><span class="muted">${esc(partyName(s, n.party))} · ${n.volumes[0] ? `${band(n.volumes[0].altitude)} · ${utc(n.volumes[0].time.start)}` : ""}</span>${mine ? ` <button type="button" data-amend="${esc(n.id)}">Amend</button> <button type="button" data-cancel="${esc(n.id)}">Cancel</button>` : ""}`,
      );
    const conflicts = s.conflicts.filter((c) => c.state === "open");
    this.el.innerHTML = `${this.timelineHtml()}
      <h3>Open conflicts (${conflicts.length})</h3>
      <ul class="objects" id="conflict-list">${conflicts.map((c) => li(`conflict|${c.id}`, `<span class="hatch-swatch"></span> ${esc(conflictTitle(c, s))}<br><span class="muted">${utc(c.window.start)} · ${band(c.altitude)}</span>`)).join("") || '<li class="empty">none</li>'}</ul>
      <h3>Own notices (${own.length})</h3>
      <ul class="objects">${own.map((n) => noticeRow(n, true)).join("") || '<li class="empty">none</li>'}</ul>
      <h3>Counterparties' notices (${others.length})</h3>
      <ul class="objects">${others.map((n) => noticeRow(n, false)).join("") || '<li class="empty">none</li>'}</ul>
      <h3>Zones (${s.zones.length})</h3>
      <ul class="objects">${s.zones.map((z) => li(`zone|${z.id}`, `<strong>${esc(z.title)}</strong> <span class="chip zone-${esc(z.kind)}">${esc(z.kind)}</span><br><span class="muted">${esc(partyName(s, z.party))} · ${esc(z.status)}</span>`)).join("") || '<li class="empty">none</li>'}</ul>`;
  }
}
