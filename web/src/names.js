// What a person reads an object as: a notice by its title (or, shared only in part, by its
// party, kind, band and window), a zone by its title, a conflict by its two sides and its
// window, a track by its callsign, a message by its priority, sender and time. Ids are never a
// name: they stay in the details and behind copy buttons. Two different objects that would
// read the same are told apart by their window, then their band (``distinct``).
import { t } from "./i18n.js";
import { esc, hhmm, limitText, partyName } from "./format.js";

/** "09:00–11:00Z" for a window within one UTC day, "2026-11-25 22:00Z–2026-11-26 02:00Z"
 * across days; an open end as "from 09:00Z". The date leads whenever the window is not today. */
export function windowText(start, end, now = Date.now()) {
  if (!start) return "";
  const day = (iso) => new Date(iso).toISOString().slice(0, 10);
  const today = new Date(now).toISOString().slice(0, 10);
  const at = (iso) => (day(iso) === today ? hhmm(iso) : `${day(iso)} ${hhmm(iso)}`);
  if (!end) return t("name.window_open", { start: at(start) });
  if (day(start) === day(end)) return `${day(start) === today ? "" : `${day(start)} `}${hhmm(start).slice(0, 5)}–${hhmm(end)}`;
  return `${at(start)}–${at(end)}`;
}

/** An altitude band as flight levels, "FL098–295". */
export const bandText = (alt) =>
  !alt
    ? ""
    : alt.lower !== undefined
      ? `${limitText(alt.lower)}–${limitText(alt.upper)}`
      : `FL${String(Math.round(alt.lower_m / 30.48)).padStart(3, "0")}–${String(Math.round(alt.upper_m / 30.48)).padStart(3, "0")}`;

/** The word of a notice kind ("uav", "air_sortie") or a zone kind in the reader's language. */
export const kindWord = (kind) => t(`kind.${kind}`);

/** The priority statuses a notice may carry, highest rank first (docs/rules.md R-PRIO-2). */
export const PRIORITY_STATUSES = ["emergency", "medevac", "sar", "humanitarian"];

/** A priority status as a chip in its own colour ("" for none): the word says it too, so the
 * colour is never the only sign. */
export const priorityChip = (status) =>
  status ? `<span class="chip priority-status" data-priority-status="${esc(status)}">${esc(t(`priority_status.${status}`))}</span>` : "";

/** Order of two conflicts for a list: those with a priority notice first (the higher status
 * before the lower), the others after, each group in the order it came. */
export const priorityFirst = (a, b) => priorityRank(b.priority_status) - priorityRank(a.priority_status);

/** 4 for emergency … 1 for humanitarian, 0 for none. */
export const priorityRank = (status) => (status ? PRIORITY_STATUSES.length - PRIORITY_STATUSES.indexOf(status) : 0);

/** A notice: its title; shared in part (no title): "Alpha Air Command · UAV · FL098–295 ·
 * 09:00–11:00Z" (``window: false``: without the window, when a conflict's window follows). */
export function noticeName(n, state, { window = true } = {}) {
  if (n.title) return n.title;
  const v = n.volumes && n.volumes[0];
  const values = { party: partyName(state, n.party), kind: kindWord(n.kind), band: v ? bandText(v.altitude) : "" };
  if (!window || !v) return t("name.notice_withheld_band", values);
  return t("name.notice_withheld", { ...values, window: windowText(v.time.start, v.time.end) });
}

/** A zone: its title; shared in part: "Alpha Air Command · protected zone". */
export function zoneName(z, state) {
  return z.title || t("name.zone_withheld", { party: partyName(state, z.party), kind: kindWord(z.kind) });
}

/** One side of a strategic conflict ({type, id, party}): the notice or zone it names, else
 * what is known of it ("a notice of Alpha Air Command"). */
export function sideName(ref, state, { self = null } = {}) {
  if (!ref) return "?";
  if (self && ref.id === self.id) return self.name;
  if (ref.type === "notice") {
    const n = state.notices.find((x) => x.id === ref.id);
    if (n) return noticeName(n, state, { window: false });
  } else if (ref.type === "zone") {
    const z = state.zones.find((x) => x.id === ref.id);
    if (z) return zoneName(z, state);
  }
  const title = ref.id ? state.titles.get(ref.id) : "";
  if (title) return title;
  return t(ref.type === "zone" ? "name.zone_of" : "name.notice_of", { party: partyName(state, ref.party) });
}

/** A strategic conflict: "ISR orbit Homs × Alpha Air Command · UAV · FL098–295 ·
 * 09:00–11:00Z"; ``window``: with the clash's window after it. ``self``: {id, name} of an
 * object to call by another name (the draft being checked). */
export function conflictName(c, state, { window = true, self = null } = {}) {
  const sides = t("name.conflict", { own: sideName(c.own, state, { self }), other: sideName(c.with, state, { self }) });
  return window && c.window ? t("name.with_window", { name: sides, window: windowText(c.window.start, c.window.end) }) : sides;
}

/** The callsign of track ``id`` of ``party`` as the live picture last showed it (the console
 * keeps them in ``state.callsigns`` by "party/id"); "" when it never had one. */
export const callsignOf = (state, party, id) => (state.callsigns && state.callsigns.get(`${party}/${id}`)) || "";

/** What a track is read by on its own (a map label, a list): its callsign, else its id (the
 * id its feed reports it under, when the feed gives no callsign). */
export const trackLabel = (track) => track.callsign || track.id;

/** A track: its callsign, with its party ("VIPER 11 (Bravo Air Command)"); ``callsign`` when
 * the caller has it, else the one the live picture last showed, else the track's id. */
export const trackName = (party, id, state, callsign = "") =>
  t("name.track", { callsign: callsign || callsignOf(state, party, id) || id, party: partyName(state, party) });

/** A message: "flash message from Alpha Air Command, 09:12Z". */
export function messageName(m, state) {
  return t("name.message", { priority: t(`priority.${m.priority}`), from: partyName(state, m.from), time: hhmm(m.sent_at) });
}

/** An object whose details this operator cannot read (not visible, or gone): its kind alone. */
export const unseenName = (type) => t(`name.unseen_${type}`);

/**
 * Labels for a list of different objects that never read the same: ``rows`` are ``{label,
 * more}`` with ``more`` the words that tell an object apart (its window, its band, …, in that
 * order). Where two labels coincide, each takes the next of its ``more`` in brackets until
 * they differ; objects still alike are numbered. Returns the labels in order.
 */
export function distinct(rows) {
  const labels = rows.map((r) => r.label);
  const depth = rows.map(() => 0);
  for (let round = 0; round < 4; round += 1) {
    const seen = new Map();
    labels.forEach((label, i) => seen.set(label, [...(seen.get(label) || []), i]));
    const clashes = [...seen.values()].filter((group) => group.length > 1);
    if (!clashes.length) return labels;
    for (const group of clashes) {
      for (const i of group) {
        const more = (rows[i].more || []).filter(Boolean);
        if (depth[i] < more.length) labels[i] = `${labels[i]} (${more[depth[i]]})`;
        else labels[i] = `${labels[i]} (${group.indexOf(i) + 1})`;
        depth[i] += 1;
      }
    }
  }
  return labels;
}
