// Predicted tactical conflicts on the map: a line between the two tracks of a separation alert,
// coloured by severity and labelled with the time to the closest point of approach (counting
// down between ticks); a ring around the track of an intrusion or a non-conformance.
import L from "./leaflet-global.js";
import { countdown, distance, esc, idLine, partyName, utc } from "./format.js";
import { t } from "./i18n.js";
import { sideName, trackName } from "./names.js";
import { trackKey } from "./tracks.js";
import { TIER } from "./labels.js";

export const SEVERITY_COLOURS = { advisory: "#b08900", caution: "#f57c00", warning: "#d50000" };
const SEVERITY_RANK = { advisory: 0, caution: 1, warning: 2 };
export const severityRank = (s) => SEVERITY_RANK[s] ?? 0;

/** Seconds since the figures were computed (the conflict's ``updated_at``). */
const sinceFigures = (c, now) => Math.max(0, (now - Date.parse(c.updated_at)) / 1000);

/** The figure ``name`` (seconds ahead) counted down to ``now``; null when the alert lacks it. */
export function secondsLeft(conflict, name, now = Date.now()) {
  const value = conflict.figures ? conflict.figures[name] : undefined;
  if (typeof value !== "number") return null;
  return value - sinceFigures(conflict, now);
}

/** One side of a tactical conflict: a track by its callsign and party, a zone or notice by
 * its name; a track whose callsign is withheld by its party. */
function tacticalSide(side, state) {
  if (side.type === "track") return side.id ? trackName(side.party, side.id, state, side.callsign) : t("name.track_withheld", { party: partyName(state, side.party) });
  return sideName(side, state);
}

/** "VIPER 11 (Alpha Air Command) × 4CA740 (Bravo Air Command)" */
export function tacticalTitle(c, state) {
  return t("name.conflict", { own: tacticalSide(c.a, state), other: tacticalSide(c.b, state) });
}

/** What the alert predicts, counted down to now: "CPA in 1:23 · 450 m lateral · 0 m vertical",
 * "enters the zone in 0:40"; ``short``: without the vertical miss (the map's label). */
export function tacticalSummary(c, now = Date.now(), short = false) {
  const f = c.figures || {};
  const when = (s, passed) => (s === null ? "" : s > 0 ? countdown(s) : passed);
  if (c.category === "separation") {
    const tcpa = secondsLeft(c, "tcpa_s", now);
    const text = tcpa === null ? t("tactical.cpa") : tcpa > 0 ? t("tactical.cpa_in", { time: countdown(tcpa) }) : t("tactical.cpa_now");
    if (short) return `${text} · ${distance(f.dcpa_m)}`;
    const lateral = t("tactical.lateral", { distance: distance(f.dcpa_m) });
    return `${text} · ${lateral}${typeof f.dv_m === "number" ? ` · ${t("tactical.vertical", { metres: Math.round(f.dv_m) })}` : ""}`;
  }
  if (c.category === "intrusion") {
    const entry = secondsLeft(c, "t_entry_s", now);
    return entry !== null && entry > 0 ? t("tactical.enters_in", { time: when(entry) }) : t("tactical.inside_zone");
  }
  const exit = secondsLeft(c, "t_exit_s", now);
  if (f.status === "outside" || (exit !== null && exit <= 0)) return t("tactical.outside_notice");
  return exit !== null ? t("tactical.leaves_in", { time: when(exit) }) : t("tactical.conformance", { status: esc(f.status || "?") });
}

export function describeTactical(c, state) {
  return [
    `<strong>${esc(t("tactical.heading", { category: t(`category.${c.category}`) }))}</strong> <span class="chip sev-${esc(c.severity)}">${esc(t(`severity.${c.severity}`))}</span> <span class="chip">${esc(t(`state.${c.state}`))}</span>`,
    esc(tacticalTitle(c, state)),
    `<span class="tactical-summary" data-conflict="${esc(c.id)}">${esc(tacticalSummary(c))}</span>`,
    `${esc(t("tactical.opened_at", { time: utc(c.opened_at) }))}${c.cleared_at ? ` · ${esc(t("tactical.cleared_at", { time: utc(c.cleared_at) }))}` : ""}`,
    idLine(c.id),
  ].join("<br>");
}

export class TacticalLayer {
  /**
   * @param {L.LayerGroup} group the "Tactical conflicts" overlay.
   * @param {import("./tracks.js").TrackLayer} tracks the live tracks, for current positions.
   * @param {() => object} state the console's state.
   * @param {(ref: object) => void} onSelect called with {type: "tactical", id}.
   */
  constructor(group, tracks, state, onSelect) {
    this.group = group;
    this.tracks = tracks;
    this.state = state;
    this.onSelect = onSelect;
    this.drawn = new Map();
    this.selected = "";
    /** Called after every redraw and countdown (the labels are placed again). */
    this.onDrawn = null;
  }

  /** Mark one alert as selected (its id; empty: none): a wider line. */
  select(id) {
    this.selected = id || "";
    for (const [key, drawn] of this.drawn) drawn.shape.getElement()?.classList.toggle("selected", key === this.selected);
  }

  /** Where a side is now: its track's live position, else the figures' position at the tick. */
  _where(side, figure) {
    const live = side.type === "track" && side.id ? this.tracks.position(trackKey(side.party, side.id)) : null;
    if (live) return live;
    return Array.isArray(figure) ? [figure[1], figure[0]] : null;
  }

  /** Draw the open tactical conflicts (and drop the others), updating in place. */
  render(conflicts) {
    const open = conflicts.filter((c) => c.state === "open");
    const ids = new Set(open.map((c) => c.id));
    for (const [id, drawn] of this.drawn) {
      if (!ids.has(id)) {
        for (const layer of drawn.layers) layer.remove();
        this.drawn.delete(id);
      }
    }
    for (const c of open) this._draw(c);
    document.body.dataset.mapTactical = String(this.drawn.size);
    if (this.onDrawn) this.onDrawn();
  }

  _draw(c) {
    const f = c.figures || {};
    const a = this._where(c.a, f.a_position);
    const b = c.category === "separation" ? this._where(c.b, f.b_position) : null;
    const colour = SEVERITY_COLOURS[c.severity] || "#555";
    let drawn = this.drawn.get(c.id);
    if (drawn && drawn.category !== c.category) {
      for (const layer of drawn.layers) layer.remove();
      drawn = null;
    }
    if (!a || (c.category === "separation" && !b)) return;
    const at = b ? [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] : a;
    if (!drawn) {
      const shape = b
        ? L.polyline([a, b], { weight: 3, className: "tactical-line" })
        : L.circleMarker(a, { radius: 16, weight: 3, fill: false, className: "tactical-ring" });
      const label = L.marker(at, {
        icon: L.divIcon({ className: "tactical-label", html: `<span class="map-label" data-kind="cpa" data-place="centred"></span>`, iconSize: null }),
        keyboard: false,
        zIndexOffset: 1000,
      });
      for (const layer of [shape, label]) {
        layer.bindPopup(() => describeTactical(this._current(c.id) || c, this.state()), { maxWidth: 320 });
        layer.on("click", () => this.onSelect({ type: "tactical", id: c.id }));
        layer.addTo(this.group);
      }
      drawn = { category: c.category, shape, label, layers: [shape, label], conflict: c };
      this.drawn.set(c.id, drawn);
    } else if (b) {
      drawn.shape.setLatLngs([a, b]);
      drawn.label.setLatLng(at);
    } else {
      drawn.shape.setLatLng(a);
      drawn.label.setLatLng(at);
    }
    drawn.conflict = c;
    drawn.shape.setStyle({ color: colour, dashArray: c.severity === "warning" ? null : "8 6" });
    this._label(drawn);
  }

  _current(id) {
    const drawn = this.drawn.get(id);
    return drawn ? drawn.conflict : null;
  }

  _label(drawn) {
    const el = drawn.label.getElement();
    if (!el) return;
    const c = drawn.conflict;
    el.dataset.conflict = c.id;
    el.dataset.severity = c.severity;
    const tag = el.firstElementChild;
    tag.textContent = tacticalSummary(c, Date.now(), true);
    tag.dataset.ref = `tactical|${c.id}`;
    tag.dataset.tier = String(TIER.alert);
    tag.dataset.order = String(-severityRank(c.severity));
    drawn.shape.getElement()?.classList.toggle("selected", c.id === this.selected);
  }

  /** Count the labels down (every second, between polls). */
  tick() {
    for (const drawn of this.drawn.values()) this._label(drawn);
    if (this.onDrawn && this.drawn.size) this.onDrawn();
  }

  /** Move the lines to the tracks' newest positions (after each poll of the tracks). */
  follow() {
    for (const drawn of this.drawn.values()) this._draw(drawn.conflict);
    if (this.onDrawn) this.onDrawn();
  }

  /** Where an alert is drawn now: {latLngs, layer} of its line or ring; null when not drawn. */
  where(id) {
    const drawn = this.drawn.get(id);
    if (!drawn) return null;
    const shape = drawn.shape;
    return { latLngs: shape.getLatLngs ? shape.getLatLngs() : [shape.getLatLng()], layer: shape };
  }
}
