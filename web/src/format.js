// Text for people: times in UTC, countdowns, altitudes, and the popups of map objects, in the
// operator's language (i18n.js); times stay UTC in every language.
import { t } from "./i18n.js";
import { conflictName, kindWord, noticeName, zoneName } from "./names.js";

const RTL = new Set(["ar", "he", "fa", "ur"]);

export function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export const isRtl = (language) => RTL.has(String(language || "").slice(0, 2));

/** "2026-11-25 09:30Z" */
export function utc(iso) {
  if (!iso) return t("time.open_ended");
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}Z`;
}

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** A volume's recurring windows in words (R-SCHED-1): "weekdays 07:00–11:30 UTC, 2026-12-07 –
 * 2027-01-29"; the days as a run ("Tue–Thu") or each ("Mon, Wed, Fri"), dates and times as
 * figures in every language. */
export function scheduleText(plan) {
  const numbers = WEEKDAYS.map((d, k) => (plan.weekdays.includes(d) ? k : -1)).filter((k) => k >= 0);
  const run = numbers.length >= 3 && numbers[numbers.length - 1] - numbers[0] === numbers.length - 1;
  const key = numbers.join("");
  const days =
    key === "01234"
      ? t("schedule.weekdays")
      : key === "56"
        ? t("schedule.weekends")
        : key === "0123456"
          ? t("schedule.daily")
          : run
            ? `${t(`weekday.${WEEKDAYS[numbers[0]]}`)}–${t(`weekday.${WEEKDAYS[numbers[numbers.length - 1]]}`)}`
            : numbers.map((k) => t(`weekday.${WEEKDAYS[k]}`)).join(", ");
  const values = { days, from: plan.from, to: plan.to, first: plan.first_date, last: plan.last_date };
  return t(plan.to < plan.from ? "schedule.text_overnight" : "schedule.text", values);
}

/** A volume's time in words: its schedule, or its window. */
export const volumeTime = (v) => (v.schedule ? scheduleText(v.schedule) : `${utc(v.time.start)} → ${utc(v.time.end)}`);

export const hhmm = (iso) => (iso ? `${new Date(iso).toISOString().slice(11, 16)}Z` : "");

/** Seconds as "4:05", "1:02:03" or "-0:12" (overdue). */
export function countdown(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${sign}${h ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const m = seconds / 60;
  return m >= 120 ? t("unit.hours", { value: (m / 60).toFixed(1) }) : t("unit.minutes", { value: Math.round(m) });
}

/** Altitude in metres as a flight level (hundreds of feet): 6000 → "FL197". */
export const flightLevel = (altM) => `FL${String(Math.max(0, Math.round(altM / 30.48))).padStart(3, "0")}`;

/** A distance in metres as "850 m" or "12.4 km". */
export const distance = (m) => (m === null || m === undefined ? "–" : m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

/** A limit of a band filed on its datum, as filed: "FL100", "3000 ft AMSL", "150 m AGL", "SFC". */
export const limitText = (limit) =>
  limit.special ? limit.special : limit.unit === "FL" ? flightLevel(limit.value * 30.48) : `${limit.value} ${limit.unit} ${limit.reference || "AMSL"}`;

/** An altitude band: metres AMSL with its flight levels, or, filed on datums (R-HEIGHT-1), as
 * filed with the interval of heights AMSL it may span: "FL100–FL120 (2508–3959 m AMSL)". */
export const band = (alt) => {
  if (alt.lower !== undefined) {
    const filed = `${limitText(alt.lower)}–${limitText(alt.upper)}`;
    return alt.amsl_m ? `${filed} (${Math.round(alt.amsl_m.lower_m)}–${Math.round(alt.amsl_m.upper_m)} m AMSL)` : filed;
  }
  return `${Math.round(alt.lower_m)}–${Math.round(alt.upper_m)} m (FL${Math.round(alt.lower_m / 30.48)}–${Math.round(alt.upper_m / 30.48)})`;
};

/** The colour a party's objects are drawn in on every map (``#RRGGBB``, from the mechanism);
 * grey for a party withheld or unknown. */
export function partyColour(state, id) {
  const p = id ? state.parties.get(id) : null;
  return (p && p.colour) || "#6b7280";
}

export function partyName(state, id) {
  if (!id) return t("party.hidden");
  const p = state.parties.get(id);
  return p ? p.name : id;
}

/** An object's id, for the details only (never as its name): selectable, with a copy button. */
export const idLine = (id) =>
  `<span class="object-id">${esc(t("details.id"))} <code>${esc(id)}</code> <button type="button" class="copy-id" data-copy="${esc(id)}" title="${esc(t("copy_id.title"))}">${esc(t("copy_id"))}</button></span>`;

export function describeNotice(notice, state) {
  const v = notice.volumes[0];
  const rows = [
    `<strong>${esc(noticeName(notice, state))}</strong> <span class="chip">${esc(kindWord(notice.kind))}</span>`,
    `${esc(partyName(state, notice.party))} · v${notice.version} · ${esc(t(`status.${notice.status}`))}${notice.late ? ` · <span class="late">${esc(t("notice.late"))}</span>` : ""}`,
  ];
  if (v) rows.push(`${band(v.altitude)}`, esc(volumeTime(v)));
  if (notice.redacted) rows.push(`<em>${esc(t("notice.redacted"))}</em>`);
  if (notice.recorded_after_the_fact) rows.push(`<span class="late">${esc(t("notice.after_the_fact"))}</span>`);
  if (notice.remarks) rows.push(esc(notice.remarks));
  const clashes = state.conflicts.filter((c) => c.state === "open" && (c.own.id === notice.id || c.with.id === notice.id));
  if (clashes.length) rows.push(`<span class="late">${esc(t("notice.open_conflicts", { count: clashes.length }))}</span> ${clashes.map((c) => esc(conflictName(c, state))).join("; ")}`);
  rows.push(idLine(notice.id));
  return rows.join("<br>");
}

export function describeZone(zone, state) {
  return [
    `<strong>${esc(zoneName(zone, state))}</strong> <span class="chip zone-${esc(zone.kind)}">${esc(kindWord(zone.kind))}</span>`,
    `${esc(partyName(state, zone.party))} · v${zone.version} · ${esc(t(`status.${zone.status}`))}${zone.redacted ? ` · <em>${esc(t("notice.redacted"))}</em>` : ""}`,
    band(zone.volume.altitude),
    `${utc(zone.volume.time.start)} → ${utc(zone.volume.time.end)}`,
    ...(zone.remarks ? [esc(zone.remarks)] : []),
    idLine(zone.id),
  ].join("<br>");
}

export function describeConflict(conflict, state) {
  return [
    `<strong>${esc(t("conflict.heading"))}</strong> <span class="chip">${esc(t(`state.${conflict.state}`))}</span>`,
    esc(conflictName(conflict, state, { window: false })),
    // figures and Latin units read left to right on their own lines, in a right-to-left page too
    `<span dir="ltr">${band(conflict.altitude)}</span>`,
    `<span dir="ltr">${utc(conflict.window.start)} → ${utc(conflict.window.end)}</span>`,
    ...(conflict.occurrence ? [esc(t("conflict.occurrence", { window: `${utc(conflict.occurrence.start)} → ${utc(conflict.occurrence.end)}` }))] : []),
    esc(t("conflict.lateral", { distance: Math.round(conflict.distance_m) })),
    idLine(conflict.id),
  ].join("<br>");
}
