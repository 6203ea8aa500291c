// Incidents (R-INC-1..3): the duty officer files one from the Objects tab ("Incident" in the
// details of a notice, zone, conflict or track pre-fills it; "New incident" above the list
// starts an empty one), reads the incidents its party filed or is party to, and sees who must
// acknowledge each and who has. An incident awaiting the party's acknowledgement is in the
// Inbox too (subject ``incident``); it is acknowledged by POST /v1/incidents/{id}/ack.
import { post } from "./api.js";
import { CoordinateError, parsePosition } from "./coordinates.js";
import { esc, partyName, utc } from "./format.js";
import { t } from "./i18n.js";
import { trackName } from "./names.js";

/** The kinds of related object an incident names, as its body's keys. */
const RELATED = [
  ["notice", "notices"],
  ["zone", "zones"],
  ["conflict", "conflicts"],
  ["track", "tracks"],
];

/** The words of an acknowledgement state (an incident's, or one party's). */
const ACK_WORDS = { none: "incident.ack.none", pending: "incident.ack.pending", acknowledged: "incident.ack.acknowledged", superseded: "incident.ack.superseded" };

/** The words of a related object's kind. */
const RELATED_WORDS = { notice: "incident.related.notice", zone: "incident.related.zone", conflict: "incident.related.conflict", track: "incident.related.track" };

/** The first line of a narrative (the list shows it; the details show it whole). */
export const firstLine = (text) => String(text || "").split("\n")[0];

/** ``YYYY-MM-DDTHH:MM`` of a time, UTC (the value of the form's time field). */
const minuteUtc = (ms) => new Date(ms).toISOString().slice(0, 16);

/** The state of an incident's acknowledgements: ``none`` (nobody is asked), ``pending``
 * (someone still owes it) or ``acknowledged`` (everyone asked has). */
export function ackState(incident) {
  const acks = (incident.acks || []).filter((a) => a.status !== "superseded");
  if (!acks.length) return "none";
  return acks.every((a) => a.status === "acknowledged") ? "acknowledged" : "pending";
}

export class Incidents {
  constructor(app) {
    this.app = app;
    this.draft = null; // {serial, related: [{type, id}], time, position, narrative, error}
    this.serial = 0;
  }

  get list() {
    return this.app.state.incidents || [];
  }

  byId(id) {
    return this.list.find((x) => x.id === id) || null;
  }

  /** A related object's name: a notice, zone or conflict by its name, a track by its callsign. */
  relatedName(type, id, party = null) {
    if (type === "track") {
      const live = this.app.live ? [...this.app.live.tracks.tracks.values()].find((x) => x.id === id && (!party || x.party === party)) : null;
      const owner = party || (live && live.party);
      return owner ? trackName(owner, id, this.app.state, (live && live.callsign) || "") : id;
    }
    return this.app.nameOf(type, id);
  }

  /** An incident as a person names it: "Incident 09:42Z · Alpha Air Command". */
  name(incident) {
    return t("incident.name", { time: utc(incident.time), party: partyName(this.app.state, incident.party) });
  }

  /** The chip of an incident's acknowledgement state. */
  chip(incident) {
    const state = ackState(incident);
    return `<span class="chip incident-${esc(state)}" data-ack-state="${esc(state)}">${esc(t(ACK_WORDS[state]))}</span>`;
  }

  /** The list in the Objects tab: "Incidents (N)", newest first; ``sel`` the selected ref. */
  listHtml(sel, empty) {
    const s = this.app.state;
    const add = s.me.role !== "viewer" ? ` <button type="button" data-action="incident-new" data-testid="incident-new">${esc(t("incident.new"))}</button>` : "";
    const rows = this.list
      .map((x) => {
        const ref = `incident|${x.id}`;
        return `<li data-ref="${esc(ref)}" data-incident="${esc(x.id)}" class="${ref === sel ? "selected" : ""}"><strong>${esc(utc(x.time))}</strong> ${this.chip(x)}<br><span class="muted">${esc(partyName(s, x.party))}</span> · <span class="narrative" dir="auto">${esc(firstLine(x.narrative))}</span></li>`;
      })
      .join("");
    return `<h3>${esc(t("objects.incidents", { count: this.list.length }))}${add}</h3>
      ${this.formHtml()}
      <ul class="objects" id="incident-list">${rows || empty()}</ul>`;
  }

  /** The details of one incident: when, where, who filed it, what happened, the related
   * objects by name, the attached ledger timeline's seqs, who must acknowledge and who has. */
  detailsHtml(id) {
    const s = this.app.state;
    const x = this.byId(id);
    if (!x) return esc(t("name.unseen_incident"));
    const related = RELATED.flatMap(([type, key]) =>
      (x[key] || []).map((rid) => {
        const shown = type === "track" ? "" : ` data-ref="${esc(type === "conflict" && this.app.tacticalById(rid) ? "tactical" : type)}|${esc(rid)}"`;
        return `<li${shown} data-related="${esc(type)}"><span class="chip">${esc(t(RELATED_WORDS[type]))}</span> ${esc(this.relatedName(type, rid))}</li>`;
      }),
    );
    const acks = (x.acks || []).filter((a) => a.status !== "superseded");
    const ackRows = acks.map(
      (a) =>
        `<li class="incident-ack" data-party="${esc(a.party)}" data-state="${esc(a.status)}">${esc(partyName(s, a.party))}: <span class="chip incident-${esc(a.status)}">${esc(t(ACK_WORDS[a.status]))}</span>${a.acked_at ? ` <span class="muted">${esc(utc(a.acked_at))}${a.acked_by ? ` · ${esc(a.acked_by)}` : ""}</span>` : ""}</li>`,
    );
    const [lon, lat] = x.position || [];
    return `<strong>${esc(this.name(x))}</strong> ${this.chip(x)}
      <dl class="incident">
        <dt>${esc(t("incident.time"))}</dt><dd>${esc(utc(x.time))}</dd>
        <dt>${esc(t("incident.position"))}</dt><dd class="position" dir="ltr">${esc(`${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`)}</dd>
        <dt>${esc(t("incident.filed_by"))}</dt><dd>${esc(partyName(s, x.party))} · ${esc(x.operator)} · ${esc(utc(x.filed_at))}</dd>
      </dl>
      <p class="narrative" dir="auto" id="incident-narrative">${esc(x.narrative)}</p>
      <h4>${esc(t("incident.related_heading"))}</h4><ul class="objects" id="incident-related">${related.join("") || `<li class="empty">${esc(t("list.none"))}</li>`}</ul>
      <h4>${esc(t("incident.timeline_heading"))}</h4><p class="muted" id="incident-timeline" dir="ltr">${x.timeline && x.timeline.length ? esc(x.timeline.map((seq) => `#${seq}`).join(" ")) : esc(t("timeline.empty"))}</p>
      <h4>${esc(t("incident.acks_heading"))}</h4><ul class="objects" id="incident-acks">${ackRows.join("") || `<li class="empty">${esc(t("incident.nobody_asked"))}</li>`}</ul>`;
  }

  /** The action in an object's details that starts an incident about it. */
  actionHtml(ref) {
    if (this.app.state.me.role === "viewer" || !ref) return "";
    const type = ref.type === "tactical" ? "conflict" : ref.type;
    if (!RELATED.some(([k]) => k === type)) return "";
    return ` <button type="button" data-action="incident-about" data-type="${esc(type)}" data-id="${esc(ref.id)}">${esc(t("action.incident"))}</button>`;
  }

  /** Start a draft about ``related`` ({type, id}; a track's id is ``party/id``), or none. */
  start(related = null) {
    this.serial += 1;
    const d = { serial: this.serial, related: [], time: minuteUtc(Date.now()), position: "", narrative: "", error: "" };
    if (related) d.related.push(related);
    this.draft = d;
    const x = related ? this.positionOf(related) : null;
    if (x) d.position = x;
    this.app.objects.render();
    const field = this.app.objects.el.querySelector("#incident-narrative-input");
    if (field) {
      field.scrollIntoView({ block: "nearest" });
      field.focus();
    }
  }

  /** Where a related object is, to start from: a track's last position, typed as lat, lon. */
  positionOf(ref) {
    if (ref.type !== "track") return null;
    const track = this.app.live && this.app.live.tracks.tracks.get(ref.id);
    return track ? `${Number(track.lat).toFixed(5)} ${Number(track.lon).toFixed(5)}` : null;
  }

  /** The form of the draft (nothing without one). */
  formHtml() {
    const d = this.draft;
    if (!d) return "";
    const related = d.related
      .map(
        (r, i) =>
          `<li data-related="${esc(r.type)}" data-id="${esc(r.id)}"><span class="chip">${esc(t(RELATED_WORDS[r.type]))}</span> ${esc(r.type === "track" ? this.relatedName("track", r.id.slice(r.id.indexOf("/") + 1), r.id.slice(0, r.id.indexOf("/"))) : this.relatedName(r.type, r.id))} <button type="button" data-action="incident-unrelate" data-index="${i}" title="${esc(t("incident.remove"))}" aria-label="${esc(t("incident.remove"))}">×</button></li>`,
      )
      .join("");
    return `<form id="incident-form" class="incident-form details" data-draft="${d.serial}" novalidate>
      <h4>${esc(t("incident.form_heading"))}</h4>
      <label>${esc(t("incident.time"))} <input type="datetime-local" name="time" data-testid="incident-time" value="${esc(d.time)}" step="60"> <span class="muted">UTC</span></label>
      <label>${esc(t("incident.position"))} <input name="position" data-testid="incident-position" dir="ltr" value="${esc(d.position)}" placeholder="${esc(t("incident.position_hint"))}"></label>
      <button type="button" data-action="incident-pick" title="${esc(t("incident.pick_title"))}">${esc(t("incident.pick"))}</button>
      <label>${esc(t("incident.narrative"))}<br><textarea id="incident-narrative-input" name="narrative" data-testid="incident-narrative" rows="4" dir="auto" maxlength="4000" required>${esc(d.narrative)}</textarea></label>
      <h4>${esc(t("incident.related_heading"))}</h4>
      <ul class="objects" id="incident-draft-related">${related || `<li class="empty">${esc(t("list.none"))}</li>`}</ul>
      <div class="row actions"><button type="submit" data-testid="incident-submit">${esc(t("incident.submit"))}</button> <button type="button" data-action="incident-discard">${esc(t("incident.discard"))}</button></div>
      <p class="error" role="alert" id="incident-error">${esc(d.error)}</p>
    </form>`;
  }

  /** Keep what was typed in the draft (before a render rewrites the form). */
  keep() {
    const form = this.app.objects.el.querySelector("#incident-form");
    if (!form || !this.draft || form.dataset.draft !== String(this.draft.serial)) return;
    this.draft.time = form.elements.time.value;
    this.draft.position = form.elements.position.value;
    this.draft.narrative = form.elements.narrative.value;
  }

  /** The next click on the map sets the position. */
  pick() {
    const map = this.app.map && this.app.map.map;
    if (!map) return;
    this.keep();
    this.app.toast(t("incident.pick_now"));
    map.once("click", (e) => {
      if (!this.draft) return;
      const typed = `${e.latlng.lat.toFixed(5)} ${e.latlng.lng.toFixed(5)}`;
      this.draft.position = typed;
      const form = this.app.objects.el.querySelector("#incident-form");
      if (form) form.elements.position.value = typed;
    });
  }

  /** One of the objects of the panel's actions (``data-action`` incident-…); true when handled. */
  click(action) {
    const act = action.dataset.action;
    if (act === "incident-new") this.start();
    else if (act === "incident-about") this.start({ type: action.dataset.type, id: action.dataset.id });
    else if (act === "incident-pick") this.pick();
    else if (act === "incident-discard") {
      this.draft = null;
      this.app.objects.render();
    } else if (act === "incident-unrelate") {
      this.keep();
      this.draft.related.splice(Number(action.dataset.index), 1);
      this.app.objects.render();
    } else return false;
    return true;
  }

  /** The body of POST /v1/incidents from the draft; a CoordinateError or an Error (its words
   * in the operator's language) for what is missing or malformed. */
  body() {
    const d = this.draft;
    const narrative = d.narrative.trim();
    if (!narrative) throw new Error(t("incident.narrative_required"));
    const when = d.time ? Date.parse(`${d.time}:00Z`) : NaN;
    if (Number.isNaN(when)) throw new Error(t("incident.time_required"));
    const position = parsePosition(d.position);
    const body = { time: new Date(when).toISOString().replace(".000Z", "Z"), position, narrative, notices: [], zones: [], conflicts: [], tracks: [] };
    for (const r of d.related) {
      const key = RELATED.find(([k]) => k === r.type)[1];
      body[key].push(r.type === "track" ? r.id.slice(r.id.indexOf("/") + 1) : r.id);
    }
    return body;
  }

  /** File the draft (signed when the operator has a key: api.js ``post``). */
  async submit() {
    this.keep();
    let body;
    try {
      body = this.body();
    } catch (err) {
      this.draft.error = err instanceof CoordinateError || err instanceof Error ? err.message : String(err);
      this.app.objects.render();
      return;
    }
    try {
      const filed = await post("/v1/incidents", body);
      this.draft = null;
      this.app.state.incidents = [filed, ...this.list.filter((x) => x.id !== filed.id)];
      this.app.toast(t("toast.incident_filed", { name: this.name(filed) }));
      this.app.objects.select({ type: "incident", id: filed.id }, { focus: false });
    } catch (err) {
      if (this.draft) this.draft.error = err.message;
      this.app.objects.render();
    }
    this.app.refresh(["incidents"]);
  }
}
