// Live tracks on the map: one heading-rotated marker per aircraft in its party's colour, a speed
// vector to where it will be in 60 s, and a label with its callsign (its id when its feed gives
// none) and flight level (placed by labels.js, so labels never overlap). Markers are kept and moved in place between polls, so an
// open popup survives the update.
import L from "./leaflet-global.js";
import { esc, flightLevel, hhmm, idLine, partyColour, partyName } from "./format.js";
import { noticeName, trackLabel } from "./names.js";
import { TIER } from "./labels.js";
import { t } from "./i18n.js";
import { formatPosition } from "./coordinates.js";

const EARTH_M = 6371008.8;
const RAD = Math.PI / 180;
/** Seconds of flight the speed vector shows. */
export const VECTOR_S = 60;
/** A track whose last state is older than this is drawn dimmed (coasting), seconds. */
const STALE_S = 8;
const MPS_KT = 3600 / 1852;

export const trackKey = (party, id) => `${party}/${id}`;

/** The point reached from (lat, lon) after dist_m along the great circle of bearing trk_deg. */
export function ahead(lat, lon, trkDeg, distM) {
  const d = distM / EARTH_M;
  const p1 = lat * RAD;
  const th = trkDeg * RAD;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(th));
  const l2 = lon * RAD + Math.atan2(Math.sin(th) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 / RAD, ((((l2 / RAD) + 540) % 360) - 180)];
}

/** A track moved on by ``seconds`` at its ground speed, track angle and vertical rate. */
export function extrapolate(track, seconds) {
  const [lat, lon] = ahead(track.lat, track.lon, track.trk_deg, track.gs_mps * seconds);
  return { lat, lon, alt_m: track.alt_m + track.vs_mps * seconds };
}

function arrowSvg(colour) {
  // an arrowhead pointing north, rotated by the track angle through CSS
  return `<svg class="track-arrow" viewBox="-10 -10 20 20" width="20" height="20" aria-hidden="true"><path d="M0,-9 L6,7 L0,3 L-6,7 Z" fill="${colour}" stroke="#fff" stroke-width="1.2"/></svg>`;
}

export function describeTrack(track, state) {
  const trend = track.vs_mps > 1 ? t("track.climbing") : track.vs_mps < -1 ? t("track.descending") : t("track.level");
  const rows = [
    `<strong>${esc(t("track.heading", { callsign: trackLabel(track) }))}</strong> <span class="chip">${esc(partyName(state, track.party))}</span>`,
    `${flightLevel(track.alt_m)} (${Math.round(track.alt_m)} m) · ${esc(trend)}${track.vs_mps ? ` ${track.vs_mps.toFixed(1)} m/s` : ""}`,
    `${Math.round(track.gs_mps)} m/s (${Math.round(track.gs_mps * MPS_KT)} kt) · ${esc(t("track.angle", { degrees: Math.round(track.trk_deg) }))}`,
    esc(t("track.position", { position: formatPosition([track.lon, track.lat]), time: hhmm(track.time), age: Math.round(track.age_s) })),
  ];
  if (track.notice_id) {
    const notice = state.notices.find((n) => n.id === track.notice_id);
    rows.push(esc(t("track.under_notice", { name: notice ? noticeName(notice, state) : state.titles.get(track.notice_id) || t("name.unseen_notice") })));
  }
  if (track.callsign) rows.push(idLine(track.id)); // the id its feed reports it under, to copy
  return rows.join("<br>");
}

export class TrackLayer {
  /**
   * @param {L.LayerGroup} group where the markers go (the "Tracks" overlay).
   * @param {() => object} state the console's state (for names and the own party).
   * @param {(ref: object) => void} onSelect called with {type: "track", id: "party/id"}.
   */
  constructor(group, state, onSelect) {
    this.group = group;
    this.state = state;
    this.onSelect = onSelect;
    this.drawn = new Map();
    this.tracks = new Map();
    this.fetchedAt = 0;
    this.selected = "";
    this.created = 0;
    /** Called after every update (the labels are placed again). */
    this.onDrawn = null;
  }

  /** Mark one track as selected (``party/id``; empty: none): a ring, and its label first. */
  select(key) {
    this.selected = key || "";
    for (const [k, drawn] of this.drawn) drawn.marker.getElement()?.classList.toggle("selected", k === this.selected);
  }

  /** The current (extrapolated) position of a track as [lat, lon], or null when unknown. */
  position(key) {
    const t = this.tracks.get(key);
    if (!t) return null;
    const p = extrapolate(t, t.age_s + (performance.now() - this.fetchedAt) / 1000);
    return [p.lat, p.lon];
  }

  /** Replace the live picture with the server's answer (``GET /v1/tracks``). */
  update(tracks) {
    this.fetchedAt = performance.now();
    this.tracks = new Map(tracks.map((t) => [trackKey(t.party, t.id), t]));
    // kept after a track goes, so that an alert or a toast about it still reads its callsign
    const callsigns = this.state().callsigns;
    if (callsigns) for (const [key, t] of this.tracks) if (t.callsign) callsigns.set(key, t.callsign);
    for (const [key, drawn] of this.drawn) {
      if (!this.tracks.has(key)) {
        drawn.marker.remove();
        drawn.vector.remove();
        this.drawn.delete(key);
      }
    }
    const alerted = new Set();
    for (const c of this.state().tactical || [])
      for (const side of [c.a, c.b]) if (side && side.type === "track" && side.id) alerted.add(trackKey(side.party, side.id));
    for (const [key, t] of this.tracks) this._draw(key, t, alerted.has(key));
    document.body.dataset.mapTracks = String(this.drawn.size);
    if (this.onDrawn) this.onDrawn();
  }

  _draw(key, track, alerted = false) {
    const state = this.state();
    const own = track.party === state.me.party;
    const colour = partyColour(state, track.party);
    const now = extrapolate(track, track.age_s);
    const tip = ahead(now.lat, now.lon, track.trk_deg, track.gs_mps * VECTOR_S);
    const trend = track.vs_mps > 1 ? "↑" : track.vs_mps < -1 ? "↓" : "";
    const label = `${trackLabel(track)} ${flightLevel(now.alt_m)}${trend}`;
    let drawn = this.drawn.get(key);
    if (!drawn) {
      const icon = L.divIcon({
        className: `track-icon track-${own ? "own" : "other"} track-party-${track.party}`,
        html: `${arrowSvg(colour)}<span class="track-label map-label" data-kind="track" data-place="beside" style="border-left-color:${colour}"></span>`,
        iconSize: [20, 20],
        iconAnchor: [10, 10],
      });
      const marker = L.marker([now.lat, now.lon], { icon, keyboard: false, riseOnHover: true, title: t("track.heading", { callsign: trackLabel(track) }) });
      marker.bindPopup(() => describeTrack(this.tracks.get(key) || track, this.state()), { maxWidth: 320 });
      marker.on("click", () => this.onSelect({ type: "track", id: key }));
      const vector = L.polyline([[now.lat, now.lon], tip], { color: colour, weight: 2, interactive: false, className: "track-vector" });
      vector.addTo(this.group);
      marker.addTo(this.group);
      drawn = { marker, vector, order: (this.created += 1) };
      this.drawn.set(key, drawn);
    } else {
      drawn.marker.setLatLng([now.lat, now.lon]);
      drawn.vector.setLatLngs([[now.lat, now.lon], tip]);
    }
    if (drawn.marker.isPopupOpen()) drawn.marker.setPopupContent(describeTrack(track, this.state()));
    const el = drawn.marker.getElement();
    if (el) {
      el.dataset.track = key;
      el.classList.toggle("stale", track.age_s > STALE_S);
      el.classList.toggle("selected", key === this.selected);
      el.querySelector(".track-arrow").style.transform = `rotate(${track.trk_deg}deg)`;
      const text = el.querySelector(".track-label");
      text.textContent = label;
      text.dataset.ref = `track|${key}`;
      text.dataset.tier = String(alerted ? TIER.alert : own ? TIER.own : TIER.other);
      text.dataset.order = String(drawn.order);
    }
  }

  clear() {
    this.group.clearLayers();
    this.drawn.clear();
    this.tracks.clear();
    document.body.dataset.mapTracks = "0";
  }
}
