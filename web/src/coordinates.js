// Typed positions, distances and altitudes → the API's values: positions as [lon, lat] in
// degrees (the GeoJSON order), distances in metres, altitude bands as filed (their unit and
// vertical reference kept, R-HEIGHT-1). An operator types latitude
// and longitude in whatever order with hemisphere letters (34.5N 36.1E), in degrees, minutes and
// seconds (34°30'00"N 036°06'00"E, 34 30 00 N 036 06 00 E, 343000N 0360600E) or as an MGRS
// reference (37S BU 33729 21415). Bare numbers are refused: "34.5 36.1" is latitude first to one
// reader and longitude first to another, and a swap must never pass silently. Nothing here
// touches the page or the map, so the rules can be driven and tested on their own; the messages
// are in the operator's language (the console's words, i18n.js).
import { inverse as mgrsBox } from "mgrs";
import { t } from "./i18n.js";

/** Metres in one international foot (exact by definition). */
export const FT_M = 0.3048;
/** Metres in one international nautical mile (exact by definition). */
export const NM_M = 1852;
/** Metres in one flight level: 100 ft of pressure altitude in the standard atmosphere. */
export const FL_M = 100 * FT_M;

/** Metres in one unit of each distance unit the form offers. */
export const DISTANCE_UNITS_M = { m: 1, km: 1000, NM: NM_M };

/** A typed line that is not a position; ``message`` (in the operator's language) names the
 * line ("line 3: …"), ``reason`` is the message without it. */
export class CoordinateError extends Error {
  constructor(message, line) {
    super(line ? atLine(line, message) : message);
    this.line = line;
    this.reason = message;
  }
}

/** "line 3: {reason}" in the operator's language. */
const atLine = (line, reason) => t("coordinates.at_line", { line, reason });

/** The word of "latitude" or "longitude" (``what``, the parser's own name of the angle). */
const angleWord = (what) => (what === "latitude" ? t("coordinates.latitude") : t("coordinates.longitude"));

/** Removes the floating-point noise of a product of exact decimals (3048.0000000000005 m),
 * keeping micrometres: far below any altitude or distance anyone types. */
const micro = (value) => Math.round(value * 1e6) / 1e6;

/** The altitude units the form offers: each one's unit and vertical reference on the wire (a
 * flight level has none: it is on the standard pressure setting). AGL needs the mechanism's
 * terrain bounds; W84 is a height above the WGS84 ellipsoid (GNSS). */
export const ALTITUDE_UNITS = {
  m: { unit: "m", reference: "AMSL" },
  ft: { unit: "ft", reference: "AMSL" },
  fl: { unit: "FL" },
  m_agl: { unit: "m", reference: "AGL" },
  ft_agl: { unit: "ft", reference: "AGL" },
  m_w84: { unit: "m", reference: "W84" },
  ft_w84: { unit: "ft", reference: "W84" },
};

/**
 * An altitude band as the API takes it, as filed: metres AMSL as ``{lower_m, upper_m}``,
 * any other unit as its two height limits ``{lower: {value, unit, reference}, upper: …}``;
 * the server resolves them (a flight level over the QNH range, AGL over the terrain), never
 * the console.
 */
export function altitudeBand(lower, upper, unit, { sfc = false, unl = false } = {}) {
  if (unit === "m" && !sfc && !unl) return { lower_m: lower, upper_m: upper };
  const limit = (value) => ({ value, ...ALTITUDE_UNITS[unit] });
  return { lower: sfc ? { special: "SFC" } : limit(lower), upper: unl ? { special: "UNL" } : limit(upper) };
}

/** The form's unit of a limit as filed (``"fl"``, ``"ft_w84"`` …); null for SFC and UNL. */
const formUnit = (limit) =>
  limit.special
    ? null
    : Object.keys(ALTITUDE_UNITS).find((key) => {
        const { unit, reference } = ALTITUDE_UNITS[key];
        return unit === limit.unit && (unit === "FL" || reference === (limit.reference || "AMSL"));
      }) || null;

/**
 * How the form shows a band as filed: ``{unit, lower, upper, sfc, unl}`` (``sfc``: the lower
 * limit is the surface, ``unl``: the upper one unlimited, their value then null); null when
 * it cannot (the two limits in different units).
 */
export function formBand(altitude) {
  if (altitude.lower === undefined) return { unit: "m", lower: altitude.lower_m, upper: altitude.upper_m, sfc: false, unl: false };
  const sfc = altitude.lower.special === "SFC";
  const unl = altitude.upper.special === "UNL";
  const units = [sfc ? null : formUnit(altitude.lower), unl ? null : formUnit(altitude.upper)];
  if (units.some((u, k) => u === null && !(k === 0 ? sfc : unl))) return null;
  const known = units.filter((u) => u !== null);
  if (known.length === 2 && known[0] !== known[1]) return null;
  return { unit: known[0] || "m", lower: sfc ? null : altitude.lower.value, upper: unl ? null : altitude.upper.value, sfc, unl };
}

/** A distance in metres from a typed value and its unit: "m", "km" or "NM". */
export function distanceM(value, unit) {
  if (!Number.isFinite(value)) return NaN;
  return micro(value * (DISTANCE_UNITS_M[unit] ?? NaN));
}

/** The value of ``metres`` in ``unit`` ("m", "km", "NM"), rounded for showing in a field. */
export function inUnit(metres, unit) {
  const value = metres / (DISTANCE_UNITS_M[unit] ?? 1);
  return Math.round(value * 1000) / 1000;
}

// ---- MGRS ------------------------------------------------------------------------------

/** Zone 1–60, latitude band (C–X without I and O), the 100 km square's two letters, then
 * 0 to 5 digits of easting and as many of northing (spaces allowed between the groups). */
const MGRS = /^(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])([A-HJ-NP-V])\s*(\d{0,10}(?:\s+\d{1,5})?)$/;

/** The MGRS latitude band of a latitude: C to X, 8° each from 80°S (X is 12°, to 84°N). */
function latitudeBand(latDeg) {
  if (latDeg >= 72) return "X";
  return "CDEFGHJKLMNPQRSTUVWX"[Math.max(0, Math.floor((latDeg + 80) / 8))];
}

function mgrsPosition(text, line) {
  const m = MGRS.exec(text);
  const digits = m[5].replace(/\s+/g, "");
  const groups = m[5].trim().split(/\s+/).filter(Boolean);
  if (groups.length === 2 && groups[0].length !== groups[1].length)
    throw new CoordinateError(t("coordinates.mgrs_uneven", { easting: groups[0], northing: groups[1] }), line);
  if (digits.length % 2 !== 0 || digits.length === 0)
    throw new CoordinateError(t("coordinates.mgrs_digits", { text }), line);
  const zone = Number(m[1]);
  if (zone < 1 || zone > 60) throw new CoordinateError(t("coordinates.mgrs_zone", { zone }), line);
  const reference = `${zone}${m[2]}${m[3]}${m[4]}${digits}`;
  let box;
  try {
    box = mgrsBox(reference);
  } catch {
    throw new CoordinateError(t("coordinates.mgrs_square", { text, square: `${m[3]}${m[4]}`, zone }), line);
  }
  const [west, south, east, north] = box;
  if (![west, south, east, north].every(Number.isFinite))
    throw new CoordinateError(t("coordinates.mgrs_invalid", { text }), line);
  // the reference names a square; its centre is the position filed (0.5 m off at 1 m digits)
  const lon = (west + east) / 2;
  const lat = (south + north) / 2;
  if (latitudeBand(south) !== m[2] && latitudeBand(north) !== m[2])
    throw new CoordinateError(t("coordinates.mgrs_band", { text, band: latitudeBand(lat), given: m[2] }), line);
  const zoneWest = zone * 6 - 186;
  if (lon < zoneWest - 1 || lon > zoneWest + 7)
    throw new CoordinateError(t("coordinates.mgrs_outside_zone", { text, zone }), line);
  return [lon, lat];
}

// ---- latitude and longitude with hemisphere letters --------------------------------------

/** One angle: decimal degrees (34.5), degrees and decimal minutes (34°30.5', 34 30.5),
 * degrees, minutes and seconds (34°30'00", 34 30 00.5), or the packed form of NOTAMs
 * (3430, 343000 for a latitude; 03606, 0360600 for a longitude). Returns degrees ≥ 0. */
function angle(text, what, line) {
  const typed = text.trim();
  const word = angleWord(what);
  if (/[-+]/.test(typed)) throw new CoordinateError(t("coordinates.sign", { what: word, text: typed }), line);
  const parts = typed.split(/\s*[°º:'"\s]\s*/).filter(Boolean);
  if (!parts.length) throw new CoordinateError(t("coordinates.no_number", { what: word }), line);
  if (!parts.every((p) => /^\d+(\.\d+)?$/.test(p))) throw new CoordinateError(t("coordinates.unreadable", { what: word, text: typed }), line);
  let [degrees, minutes = "0", seconds = "0"] = parts;
  if (parts.length > 3) throw new CoordinateError(t("coordinates.too_many_parts", { what: word, text: typed }), line);
  if (parts.length === 1) {
    // packed DDMM[SS] (latitude) or DDDMM[SS] (longitude): the length of the whole part says
    const whole = degrees.split(".")[0];
    const width = what === "latitude" ? 2 : 3;
    if (whole.length === width + 2 || whole.length === width + 4) {
      const fraction = degrees.slice(whole.length);
      degrees = whole.slice(0, width);
      minutes = whole.slice(width, width + 2);
      seconds = whole.length === width + 4 ? whole.slice(width + 2) + fraction : "0";
      if (whole.length === width + 2) minutes += fraction;
    }
  }
  const [d, mi, s] = [Number(degrees), Number(minutes), Number(seconds)];
  if (parts.length > 1 && degrees.includes(".")) throw new CoordinateError(t("coordinates.decimal_degrees", { what: word, text: typed }), line);
  if (parts.length > 2 && minutes.includes(".")) throw new CoordinateError(t("coordinates.decimal_minutes", { what: word, text: typed }), line);
  if (mi >= 60) throw new CoordinateError(t("coordinates.minutes_range", { what: word, minutes }), line);
  if (s >= 60) throw new CoordinateError(t("coordinates.seconds_range", { what: word, seconds }), line);
  return d + mi / 60 + s / 3600;
}

const HEMISPHERE = /[NSEW]/g;

/** Splits a line into its two halves, each with its hemisphere letter: letters after the
 * numbers (34.5N 36.1E) or before them (N34.5 E36.1), never mixed. */
function halves(text, line) {
  const letters = [...text.matchAll(HEMISPHERE)];
  if (letters.length === 0)
    throw new CoordinateError(t("coordinates.no_hemisphere", { text, example: "34.5N 36.1E" }), line);
  if (letters.length !== 2) throw new CoordinateError(t("coordinates.one_of_each", { text }), line);
  const [a, b] = letters;
  const before = /^[NSEW]/.test(text);
  const after = /[NSEW]$/.test(text);
  if (before === after)
    throw new CoordinateError(t("coordinates.letters_mixed", { text }), line);
  if (after) return [[a[0], text.slice(0, a.index)], [b[0], text.slice(a.index + 1, b.index)]];
  return [[a[0], text.slice(1, b.index)], [b[0], text.slice(b.index + 1)]];
}

function lettered(text, line) {
  let lat = null;
  let lon = null;
  for (const [letter, body] of halves(text, line)) {
    const isLat = letter === "N" || letter === "S";
    if ((isLat && lat !== null) || (!isLat && lon !== null))
      throw new CoordinateError(t(isLat ? "coordinates.two_latitudes" : "coordinates.two_longitudes", { text }), line);
    const what = isLat ? "latitude" : "longitude";
    const value = angle(body.replace(/^[\s,;/]+|[\s,;/]+$/g, ""), what, line);
    const limit = isLat ? 90 : 180;
    if (value > limit) throw new CoordinateError(t("coordinates.beyond", { what: angleWord(what), value: +value.toFixed(6), limit }), line);
    const signed = letter === "S" || letter === "W" ? -value : value;
    if (isLat) lat = signed;
    else lon = signed;
  }
  return [lon, lat];
}

/** Unicode primes and quotes as ' and ", the letters upper case, runs of spaces as one. */
function normalise(text) {
  return text
    .replace(/[′’‘´`]/g, "'")
    .replace(/[″”“]|''/g, '"')
    .replace(/\s+/g, " ")
    .trim()
    .toUpperCase();
}

const round = (x) => Math.round(x * 1e9) / 1e9;

/**
 * One typed position as [lon, lat] in degrees. ``line`` (1-based) goes into the error's
 * message. Throws CoordinateError for anything that is not exactly one position.
 */
export function parsePosition(text, line = null) {
  const typed = normalise(text);
  if (!typed) throw new CoordinateError(t("coordinates.empty"), line);
  const [lon, lat] = MGRS.test(typed) ? mgrsPosition(typed, line) : lettered(typed, line);
  return [round(lon), round(lat)];
}

/**
 * Every position of a multi-line text, one per line, as ``{positions, lines, errors}``:
 * the positions ([lon, lat]) with the 1-based line each came from, and one CoordinateError per
 * line that is not a position. Blank lines are skipped but counted.
 */
export function parseLines(text) {
  const positions = [];
  const lines = [];
  const errors = [];
  String(text ?? "")
    .split(/\r?\n/)
    .forEach((raw, index) => {
      if (!raw.trim()) return;
      try {
        positions.push(parsePosition(raw, index + 1));
        lines.push(index + 1);
      } catch (err) {
        if (!(err instanceof CoordinateError)) throw err;
        errors.push(err);
      }
    });
  return { positions, lines, errors };
}

const same = (a, b) => a[0] === b[0] && a[1] === b[1];

/**
 * The wire outline of typed coordinates, as ``{outline, lines, errors}``.
 *
 * ``shape`` is "Polygon" (vertices one per line, at least three; the ring is closed here, a
 * repeated first vertex at the end is allowed), "Circle" (one line: the centre, and
 * ``radius_m``) or "Corridor" (the path's points one per line, at least two, and
 * ``half_width_m``). ``lines`` gives, for each vertex of the outline, the text's line it came
 * from (so that the server's complaint about vertex 3 can point at its line). ``errors`` is a
 * list of messages, each naming its line; with any, ``outline`` is null.
 */
export function typedOutline({ shape, text, radius_m, half_width_m }) {
  const parsed = parseLines(text);
  const errors = parsed.errors.map((e) => e.message);
  const { positions, lines } = parsed;
  for (let i = 1; i < positions.length; i += 1)
    if (same(positions[i], positions[i - 1]))
      errors.push(atLine(lines[i], t("coordinates.repeats", { line: lines[i - 1] })));
  if (errors.length) return { outline: null, lines, errors };
  if (shape === "Circle") {
    if (positions.length !== 1)
      return { outline: null, lines, errors: [positions.length ? t("coordinates.circle_centres", { count: positions.length }) : t("coordinates.circle_centre")] };
    if (!(radius_m > 0)) return { outline: null, lines, errors: [t("coordinates.radius")] };
    return { outline: { type: "Circle", center: positions[0], radius_m }, lines, errors };
  }
  if (shape === "Corridor") {
    if (positions.length < 2) return { outline: null, lines, errors: [t("coordinates.corridor_points", { count: positions.length })] };
    if (!(half_width_m > 0)) return { outline: null, lines, errors: [t("coordinates.half_width")] };
    return { outline: { type: "Corridor", path: positions, half_width_m }, lines, errors };
  }
  const ring = positions.slice();
  const closed = ring.length > 1 && same(ring[0], ring.at(-1));
  const corners = closed ? ring.length - 1 : ring.length;
  if (corners < 3) return { outline: null, lines, errors: [t("coordinates.polygon_vertices", { count: corners })] };
  if (!closed) {
    ring.push(ring[0]);
    lines.push(lines[0]);
  }
  return { outline: { type: "Polygon", coordinates: [ring] }, lines, errors };
}

/** A position [lon, lat] as the form writes it: "34.65N 35.95E", to 1e-6 degree. */
export function formatPosition([lon, lat]) {
  const number = (x) => String(Math.round(Math.abs(x) * 1e6) / 1e6);
  return `${number(lat)}${lat < 0 ? "S" : "N"} ${number(lon)}${lon < 0 ? "W" : "E"}`;
}

/** The form's text of a wire outline: one position per line (a polygon's ring left open). */
export function outlineText(outline) {
  if (outline.type === "Circle") return formatPosition(outline.center);
  if (outline.type === "Corridor") return outline.path.map(formatPosition).join("\n");
  const ring = outline.coordinates[0];
  const open = ring.length > 1 && same(ring[0], ring.at(-1)) ? ring.slice(0, -1) : ring;
  return open.map(formatPosition).join("\n");
}
