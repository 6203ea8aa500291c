// The objects panel: the selected object's details, its conflicts and its ledger timeline (own
// notices and zones can be amended, cancelled or withdrawn from here, own notices activated and
// released; a strategic conflict's details list the options that would resolve it,
// resolutions.js; a notice that asks for agreement shows each position, and its counterparty
// answers it here: agree, deny with a reason, or counter-propose it later); then every object as a list: tactical conflicts, live tracks, strategic
// conflicts, notices and zones.
import { authHeaders, call, get, post, storedToken } from "./api.js";
import { band, describeConflict, describeNotice, describeZone, esc, flightLevel, partyName, scheduleText, utc } from "./format.js";
import { t } from "./i18n.js";
import { conflictName, distinct, kindWord, noticeName, priorityChip, priorityFirst, trackLabel, zoneName } from "./names.js";
import { describeTrack, trackKey } from "./tracks.js";
import { describeTactical, tacticalSummary, tacticalTitle } from "./tactical.js";
import { Resolutions } from "./resolutions.js";
import { Incidents } from "./incidents.js";

const empty = () => `<li class="empty">${esc(t("list.none"))}</li>`;

/** True when a ledger entry concerns the object ``ref``. */
function concerns(entry, ref) {
  const p = entry.payload;
  if (!p) return false;
  if (ref.type === "track") {
    const [party, id] = [ref.id.slice(0, ref.id.indexOf("/")), ref.id.slice(ref.id.indexOf("/") + 1)];
    return [p.a, p.b].some((side) => Array.isArray(side) && side[0] === "track" && side[1] === id && side[2] === party);
  }
  return JSON.stringify(p).includes(ref.id);
}

export class ObjectList {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.selected = null;
    this.timeline = null;
    this.trackSig = "";
    this.agreement = null; // the selected notice's positions (GET /v1/notices/{id}: agreement)
    this.resolutions = new Resolutions(app, element);
    this.incidents = new Incidents(app);
    this.el.addEventListener("click", (e) => this.click(e));
    this.el.addEventListener("submit", (e) => {
      if (e.target.id !== "incident-form") return;
      e.preventDefault();
      this.incidents.submit();
    });
  }

  click(e) {
    const s = this.app.state;
    const action = e.target.closest("[data-action]");
    if (action) {
      const id = action.dataset.id;
      const act = action.dataset.action;
      if (act.startsWith("incident-") && this.incidents.click(action)) return;
      if (act === "amend-notice") this.app.filing.amend(s.notices.find((n) => n.id === id));
      else if (act === "cancel-notice") this.cancel(id);
      else if (act === "activate-notice") this.step(id, "activate");
      else if (act === "release-notice") this.step(id, "release");
      else if (act === "amend-zone") this.app.filing.amendZone(s.zones.find((z) => z.id === id));
      else if (act === "withdraw-zone") this.withdraw(id);
      else if (act === "ack") this.app.inbox.acknowledgeItem(s.pending.find((a) => a.subject_id === id && a.status === "pending" && a.subject !== "agreement"));
      else if (act === "ack-incident") this.app.inbox.acknowledgeItem(s.pending.find((a) => a.subject_id === id && a.status === "pending" && a.subject === "incident"));
      else if (act === "agree-notice" || act === "deny-notice" || act === "counter-notice") this.answer(id, act.slice(0, act.indexOf("-")));
      else if (act === "accept-counter") this.acceptCounter(id, action.dataset.counter);
      return;
    }
    const row = e.target.closest("[data-ref]");
    if (row && !e.target.closest("#incident-form")) {
      const cut = row.dataset.ref.indexOf("|");
      this.select({ type: row.dataset.ref.slice(0, cut), id: row.dataset.ref.slice(cut + 1) });
    }
  }

  /** Show one object: its details here, highlighted on the map, and panned to with its popup
   * open (unless ``focus`` is false: a click on the map itself). */
  select(ref, { focus = true, show = false } = {}) {
    if (ref.type === "incident") this.showIncident(ref.id, focus);
    else if (focus) this.app.map.show(ref);
    else this.app.map.select(ref);
    this.selected = ref;
    this.timeline = null;
    this.agreement = null;
    if (show) this.app.showTab("lists");
    this.incidents.keep();
    this.render();
    this.el.scrollTop = 0;
    // an incident's timeline is the one attached to it when filed (its seqs)
    if (ref.type !== "incident") this.loadTimeline(ref);
    if (ref.type === "notice") this.loadAgreement(ref);
  }

  /** An incident on the map: no outline of its own; the map pans to where it happened. */
  showIncident(id, focus) {
    this.app.map.select(null);
    const x = this.incidents.byId(id);
    if (!focus || !x || !x.position) return;
    const map = this.app.map.map;
    map.setView([x.position[1], x.position[0]], Math.max(map.getZoom(), 8), { animate: false });
  }

  /** A stream event: reload the timeline when it concerns the selected object. */
  onEvent(event) {
    this.resolutions.onEvent(event);
    const ref = this.selected;
    if (!ref || ref.type === "incident" || !concerns(event, ref)) return;
    clearTimeout(this.timelineTimer);
    this.timelineTimer = setTimeout(() => {
      if (this.selected !== ref) return;
      this.loadTimeline(ref);
      if (ref.type === "notice") this.loadAgreement(ref);
    }, 300);
  }

  /** The ledger entries about one object (those the operator may read), oldest first: the
   * server's export ``about`` the object's id (a track's id without its party). */
  async loadTimeline(ref) {
    const about = ref.type === "track" ? ref.id.slice(ref.id.indexOf("/") + 1) : ref.id;
    try {
      const answer = await fetch(`/v1/ledger?about=${encodeURIComponent(about)}`, {
        headers: authHeaders(),
      });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      const lines = (await answer.text()).split("\n").filter(Boolean);
      const entries = lines.map((line) => JSON.parse(line)).filter((e) => !e.redacted && concerns(e, ref));
      if (this.selected === ref) {
        this.timeline = entries;
        this.render();
      }
    } catch (err) {
      if (this.selected === ref) {
        this.timeline = t("timeline.unavailable", { error: err.message });
        this.render();
      }
    }
  }

  timelineHtml() {
    const head = `<h4>${esc(t("timeline.heading"))}</h4>`;
    if (this.timeline === null) return `${head}<p class="muted">${esc(t("timeline.loading"))}</p>`;
    if (typeof this.timeline === "string") return `${head}<p class="muted">${esc(this.timeline)}</p>`;
    if (!this.timeline.length) return `${head}<p class="muted">${esc(t("timeline.empty"))}</p>`;
    return `${head}<ol class="timeline" id="timeline">${this.timeline
      .map(
        (e) =>
          `<li><code>#${e.seq}</code> ${esc(utc(e.time))} <strong>${esc(e.type)}</strong> ${esc(t("timeline.by", { actor: e.actor }))}${e.party_sig ? ` · ${esc(t("timeline.signed"))}` : ""}<br><span class="muted" title="${esc(e.hash)}">${esc(t("timeline.hash", { hash: `${String(e.hash).slice(0, 16)}…` }))}</span></li>`,
      )
      .join("")}</ol>`;
  }

  /** The live part of the details (a track's state, an alert's countdown). */
  liveHtml(ref) {
    const s = this.app.state;
    if (ref.type === "track") {
      const track = this.app.live.tracks.tracks.get(ref.id);
      const id = ref.id.slice(ref.id.indexOf("/") + 1);
      const callsign = s.callsigns.get(ref.id) || id;
      return track ? describeTrack(track, s) : `<strong>${esc(t("track.heading", { callsign }))}</strong><br><span class="muted">${esc(t("track.gone"))}</span>`;
    }
    if (ref.type === "tactical") {
      const c = this.app.tacticalById(ref.id);
      return c ? describeTactical(c, s) : `<strong>${esc(t("tactical.gone_heading"))}</strong><br><span class="muted">${esc(t("tactical.gone"))}</span>`;
    }
    return "";
  }

  detailsHtml() {
    const ref = this.selected;
    const conflict = ref && ref.type === "conflict" ? this.app.state.conflicts.find((x) => x.id === ref.id) : null;
    if (!conflict) this.resolutions.close();
    if (!ref) return "";
    const s = this.app.state;
    const me = s.me;
    const owed = s.pending.some((a) => a.subject_id === ref.id && a.status === "pending" && a.subject !== "agreement" && a.subject !== "incident");
    const ack = owed ? `<button type="button" data-action="ack" data-id="${esc(ref.id)}" title="${esc(t("action.acknowledge_title"))}">${esc(t("action.acknowledge"))}</button>` : "";
    let body = "";
    let actions = ack;
    let related = [];
    let tactical = [];
    if (ref.type === "notice") {
      const n = s.notices.find((x) => x.id === ref.id);
      body = n ? describeNotice(n, s) : esc(t("name.unseen_notice"));
      if (n && n.party === me.party && (n.status === "planned" || n.status === "active")) {
        actions += `<button type="button" data-action="amend-notice" data-id="${esc(n.id)}">${esc(t("action.amend"))}</button> <button type="button" data-action="cancel-notice" data-id="${esc(n.id)}">${esc(t("action.cancel"))}</button>`;
        // planned: activate it (early, up to the channel's allowance: flash to the others); active: release it early
        const step = n.status === "planned" ? "activate" : "release";
        actions += ` <button type="button" data-action="${step}-notice" data-id="${esc(n.id)}">${esc(t(step === "activate" ? "action.activate" : "action.release"))}</button>`;
      }
      if (n) body += this.agreementHtml(n);
      related = s.conflicts.filter((c) => c.own.id === ref.id || c.with.id === ref.id);
      tactical = s.tactical.filter((c) => c.b.id === ref.id);
    } else if (ref.type === "zone") {
      const z = s.zones.find((x) => x.id === ref.id);
      body = z ? describeZone(z, s) : esc(t("name.unseen_zone"));
      if (z && z.party === me.party && z.status === "active")
        actions += `<button type="button" data-action="amend-zone" data-id="${esc(z.id)}">${esc(t("action.amend"))}</button> <button type="button" data-action="withdraw-zone" data-id="${esc(z.id)}">${esc(t("action.withdraw"))}</button>`;
      related = s.conflicts.filter((c) => c.own.id === ref.id || c.with.id === ref.id);
      tactical = s.tactical.filter((c) => c.b.id === ref.id);
    } else if (ref.type === "conflict") {
      body = conflict ? describeConflict(conflict, s) : esc(t("name.unseen_conflict"));
    } else if (ref.type === "track") {
      tactical = s.tactical.filter((c) => [c.a, c.b].some((x) => x.type === "track" && trackKey(x.party, x.id) === ref.id));
    } else if (ref.type === "incident") {
      body = this.incidents.detailsHtml(ref.id);
      if (s.pending.some((a) => a.subject === "incident" && a.subject_id === ref.id && a.status === "pending") && me.role !== "viewer")
        actions += `<button type="button" data-action="ack-incident" data-id="${esc(ref.id)}" data-testid="incident-ack" title="${esc(t("incident.ack_title"))}">${esc(t("action.acknowledge"))}</button>`;
    }
    actions += this.incidents.actionHtml(ref);
    const live = ref.type === "track" || ref.type === "tactical" ? `<div id="details-live">${this.liveHtml(ref)}</div>` : "";
    const list = [
      ...related.map((c) => `<li data-ref="conflict|${esc(c.id)}"><span class="hatch-swatch"></span> ${esc(conflictName(c, s))} <span class="chip">${esc(t(`state.${c.state}`))}</span></li>`),
      ...tactical.map((c) => `<li data-ref="tactical|${esc(c.id)}"><span class="chip sev-${esc(c.severity)}">${esc(t(`severity.${c.severity}`))}</span> ${esc(t(`category.${c.category}`))}: ${esc(tacticalTitle(c, s))}</li>`),
    ];
    const conflicts = ref.type === "conflict" || ref.type === "tactical" || ref.type === "incident" ? "" : `<h4>${esc(t("details.conflicts", { count: list.length }))}</h4><ul class="objects">${list.join("") || empty()}</ul>`;
    return `<section id="details" class="details" data-type="${esc(ref.type)}" data-id="${esc(ref.id)}">
      <h3>${esc(t("details.heading"))}</h3>${live}${body ? `<div>${body}</div>` : ""}
      ${actions ? `<div class="row actions">${actions}</div>` : ""}
      ${conflict ? this.resolutions.html(conflict) : ""}${conflicts}${ref.type === "incident" ? "" : this.timelineHtml()}</section>`;
  }

  /** The selected notice's positions (``agreement`` of its details), then a render. */
  async loadAgreement(ref) {
    try {
      const detail = await get(`/v1/notices/${encodeURIComponent(ref.id)}`);
      if (this.selected === ref) {
        this.agreement = detail.agreement || [];
        this.render();
      }
    } catch {
      if (this.selected === ref) this.agreement = [];
    }
  }

  /** The agreement section of a notice: what the viewer's party owes (Agree, Deny with a
   * reason, Counter: the notice later by some minutes), then each position it may see; the
   * filer accepts a counter-proposal of the current version from here. Nothing when the
   * notice asks nobody. */
  agreementHtml(n) {
    const s = this.app.state;
    const asked = s.pending.some((a) => a.subject === "agreement" && a.subject_id === n.id && a.status === "pending");
    const positions = this.agreement || [];
    if (!asked && !positions.length && !n.request_agreement) return "";
    const own = n.party === s.me.party;
    const rows = positions.map((p) => {
      const said = p.state === "denied" ? ` — ${esc(p.reason || "")}` : p.state === "countered" ? ` — ${esc(t("agreement.counter_window", { window: p.volumes && p.volumes.length ? `${utc(p.volumes[0].time.start)}–${utc(p.volumes[0].time.end)}` : "" }))}${p.note ? ` (${esc(p.note)})` : ""}` : "";
      const accept = own && p.state === "countered" && p.version === n.version ? ` <button type="button" data-action="accept-counter" data-id="${esc(n.id)}" data-counter="${esc(p.counter_id)}">${esc(t("action.accept_counter"))}</button>` : "";
      return `<li class="position" data-party="${esc(p.party)}" data-state="${esc(p.state)}">${esc(partyName(s, p.party))}: <span class="chip agreement-${esc(p.state)}">${esc(t(`agreement.state.${p.state}`))}</span>${said}${accept}</li>`;
    });
    const answer = asked
      ? `<div class="row actions agreement-answer">
          <button type="button" data-action="agree-notice" data-id="${esc(n.id)}">${esc(t("action.agree"))}</button>
          <input id="deny-reason" data-testid="deny-reason" dir="auto" placeholder="${esc(t("agreement.reason"))}" aria-label="${esc(t("agreement.reason"))}">
          <button type="button" data-action="deny-notice" data-id="${esc(n.id)}">${esc(t("action.deny"))}</button>
          <label>${esc(t("agreement.later_by"))} <input id="counter-minutes" data-testid="counter-minutes" type="number" min="1" step="1" value="60"></label>
          <button type="button" data-action="counter-notice" data-id="${esc(n.id)}">${esc(t("action.counter"))}</button>
        </div>`
      : "";
    return `<section class="agreement" id="agreement"><h4>${esc(t("agreement.heading"))}</h4>
      <p class="muted hint">${esc(t(asked ? "agreement.asked" : "agreement.not_receipt"))}</p>${answer}
      <ul class="objects positions">${rows.join("")}</ul></section>`;
  }

  /** Answer a notice's request for agreement: ``agree``, ``deny`` (the reason typed beside
   * it) or ``counter`` (the notice's volumes later by the minutes typed beside it). */
  async answer(id, what) {
    const s = this.app.state;
    const name = this.app.nameOf("notice", id);
    let body = {};
    if (what === "deny") body = { reason: this.el.querySelector("#deny-reason")?.value || "" };
    if (what === "counter") {
      const n = s.notices.find((x) => x.id === id);
      const shift = Number(this.el.querySelector("#counter-minutes")?.value || 0) * 60000;
      const later = (iso) => (iso ? new Date(Date.parse(iso) + shift).toISOString().replace(".000Z", "Z") : iso);
      body = { volumes: (n ? n.volumes : []).map((v) => ({ outline: v.outline, altitude: v.altitude, time: { start: later(v.time.start), end: later(v.time.end) } })) };
    }
    try {
      await post(`/v1/notices/${encodeURIComponent(id)}/${what}`, body);
      this.app.toast(t(what === "agree" ? "toast.agreed" : what === "deny" ? "toast.denied" : "toast.countered", { name }));
    } catch (err) {
      this.app.toast(t("toast.answer_failed", { name, error: err.message }));
    }
    this.app.refresh(["notices", "conflicts", "pending"]);
    if (this.selected && this.selected.id === id) this.loadAgreement(this.selected);
  }

  /** Accept a counter-proposal of an own notice: it is amended to the counter's volumes. */
  async acceptCounter(id, counterId) {
    const n = this.app.state.notices.find((x) => x.id === id);
    const name = this.app.nameOf("notice", id);
    try {
      await call("POST", `/v1/notices/${encodeURIComponent(id)}/accept`, { counter_id: counterId }, storedToken(), { "If-Match": String(n ? n.version : 0) });
      this.app.toast(t("toast.counter_accepted", { name }));
    } catch (err) {
      this.app.toast(t("toast.answer_failed", { name, error: err.message }));
    }
    this.app.refresh(["notices", "conflicts", "pending"]);
    if (this.selected && this.selected.id === id) this.loadAgreement(this.selected);
  }

  async cancel(id) {
    const name = this.app.nameOf("notice", id);
    try {
      await post(`/v1/notices/${encodeURIComponent(id)}/cancel`);
      this.app.toast(t("toast.cancelled", { name }));
    } catch (err) {
      this.app.toast(t("toast.not_cancelled", { name, error: err.message }));
    }
    this.app.refresh(["notices", "conflicts", "pending"]);
  }

  /** Activate or release (``what``) an own notice; the toast says what happened, or why not. */
  async step(id, what) {
    const name = this.app.nameOf("notice", id);
    try {
      await post(`/v1/notices/${encodeURIComponent(id)}/${what}`);
      this.app.toast(t(what === "activate" ? "toast.activated" : "toast.released", { name }));
    } catch (err) {
      this.app.toast(t(what === "activate" ? "toast.activate_failed" : "toast.release_failed", { name, error: err.message }));
    }
    this.app.refresh(["notices", "conflicts", "pending"]);
  }

  async withdraw(id) {
    const name = this.app.nameOf("zone", id);
    try {
      await post(`/v1/zones/${encodeURIComponent(id)}/withdraw`);
      this.app.toast(t("toast.withdrawn", { name }));
    } catch (err) {
      this.app.toast(t("toast.not_withdrawn", { name, error: err.message }));
    }
    this.app.refresh(["zones", "conflicts", "pending"]);
  }

  trackListHtml() {
    const s = this.app.state;
    const sel = this.selected ? `${this.selected.type}|${this.selected.id}` : "";
    const tracks = [...this.app.live.tracks.tracks.values()];
    return tracks
      .map((track) => {
        const ref = `track|${trackKey(track.party, track.id)}`;
        return `<li data-ref="${esc(ref)}" class="${ref === sel ? "selected" : ""}"><strong>${esc(trackLabel(track))}</strong> ${flightLevel(track.alt_m)} <span class="muted">${esc(partyName(s, track.party))}</span></li>`;
      })
      .join("") || empty();
  }

  /** Every second (after each poll): the live details and the list of tracks. */
  tick() {
    const live = this.el.querySelector("#details-live");
    if (live && this.selected) live.innerHTML = this.liveHtml(this.selected);
    const sig = [...this.app.live.tracks.tracks.keys()].join();
    if (sig !== this.trackSig) {
      this.trackSig = sig;
      const list = this.el.querySelector("#track-list");
      if (list) list.innerHTML = this.trackListHtml();
      const count = this.el.querySelector("#track-count");
      if (count) count.textContent = String(this.app.live.tracks.tracks.size);
    }
  }

  render() {
    const s = this.app.state;
    const sel = this.selected ? `${this.selected.type}|${this.selected.id}` : "";
    const li = (ref, html, marked = false) => `<li data-ref="${esc(ref)}" class="${[ref === sel ? "selected" : "", marked ? "priority-status" : ""].filter(Boolean).join(" ")}">${html}</li>`;
    const notices = s.notices.filter((n) => n.status === "planned" || n.status === "active");
    const own = notices.filter((n) => n.party === s.me.party);
    const others = notices.filter((n) => n.party !== s.me.party);
    const noticeRow = (n, mine) =>
      li(
        `notice|${n.id}`,
        `<strong>${esc(noticeName(n, s))}</strong> <span class="chip">${esc(kindWord(n.kind))}</span>${n.priority_status ? ` ${priorityChip(n.priority_status)}` : ""}${n.late ? ` <span class="late">${esc(t("notice.late"))}</span>` : ""}${n.redacted ? ` <em>${esc(t("notice.partial"))}</em>` : ""}<br><span class="muted">${esc(partyName(s, n.party))} · ${n.volumes[0] ? `${band(n.volumes[0].altitude)} · ${n.volumes[0].schedule ? esc(scheduleText(n.volumes[0].schedule)) : utc(n.volumes[0].time.start)}` : ""}</span>${mine ? ` <button type="button" data-action="amend-notice" data-id="${esc(n.id)}" data-amend="${esc(n.id)}">${esc(t("action.amend"))}</button> <button type="button" data-action="cancel-notice" data-id="${esc(n.id)}" data-cancel="${esc(n.id)}">${esc(t("action.cancel"))}</button>` : ""}`,
      );
    // conflicts with a priority notice (medevac, sar…) first, in their own colour (R-PRIO-1)
    const conflicts = s.conflicts.filter((c) => c.state === "open").sort(priorityFirst);
    const tactical = s.tactical.filter((c) => c.state === "open");
    const conflictLabels = distinct(conflicts.map((c) => ({ label: conflictName(c, s), more: [band(c.altitude)] })));
    this.trackSig = [...this.app.live.tracks.tracks.keys()].join();
    this.incidents.keep(); // what is typed in an incident's form survives the render, focus too
    const typing = document.activeElement && document.activeElement.closest && document.activeElement.closest("#incident-form") ? document.activeElement : null;
    const caret = typing && typing.name ? { name: typing.name, start: typing.selectionStart, end: typing.selectionEnd } : null;
    this.el.innerHTML = `${this.detailsHtml()}
      ${this.incidents.listHtml(sel, empty)}
      <h3>${esc(t("objects.tactical", { count: tactical.length }))}</h3>
      <ul class="objects" id="tactical-list">${tactical.map((c) => li(`tactical|${c.id}`, `<span class="chip sev-${esc(c.severity)}">${esc(t(`severity.${c.severity}`))}</span> ${esc(t(`category.${c.category}`))}: ${esc(tacticalTitle(c, s))}<br><span class="muted">${esc(tacticalSummary(c))}</span>`)).join("") || empty()}</ul>
      <h3>${esc(t("objects.tracks"))} (<span id="track-count">${this.app.live.tracks.tracks.size}</span>)</h3>
      <ul class="objects tracks" id="track-list">${this.trackListHtml()}</ul>
      <h3>${esc(t("objects.conflicts", { count: conflicts.length }))}</h3>
      <ul class="objects" id="conflict-list">${conflicts.map((c, i) => li(`conflict|${c.id}`, `<span class="hatch-swatch"></span> ${priorityChip(c.priority_status)} ${esc(conflictLabels[i])}<br><span class="muted">${utc(c.window.start)} · ${band(c.altitude)}</span>`, Boolean(c.priority_status))).join("") || empty()}</ul>
      <h3>${esc(t("objects.own", { count: own.length }))}</h3>
      <ul class="objects">${own.map((n) => noticeRow(n, true)).join("") || empty()}</ul>
      <h3>${esc(t("objects.others", { count: others.length }))}</h3>
      <ul class="objects">${others.map((n) => noticeRow(n, false)).join("") || empty()}</ul>
      <h3>${esc(t("objects.zones", { count: s.zones.length }))}</h3>
      <ul class="objects">${s.zones.map((z) => li(`zone|${z.id}`, `<strong>${esc(zoneName(z, s))}</strong> <span class="chip zone-${esc(z.kind)}">${esc(kindWord(z.kind))}</span><br><span class="muted">${esc(partyName(s, z.party))} · ${esc(t(`status.${z.status}`))}</span>`)).join("") || empty()}</ul>`;
    const field = caret && this.el.querySelector(`#incident-form [name=${caret.name}]`);
    if (field) {
      field.focus({ preventScroll: true });
      try {
        if (caret.start !== null) field.setSelectionRange(caret.start, caret.end);
      } catch {
        /* a field without a caret (datetime-local) */
      }
    }
  }
}
