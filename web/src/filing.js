// Filing a notice or declaring a zone. The outline is drawn on the map (polygon, circle or
// corridor) or typed: a polygon's vertices or a corridor's points one per line, a circle's
// centre, in degrees with hemisphere letters, degrees-minutes-seconds or MGRS (coordinates.js
// reads them), the radius or half width in m, km or NM. What was typed is drawn on the map as a
// preview before anything is sent, and a drawn shape writes its coordinates into the same
// fields, so the text always says what will be filed. The altitude band is filed as typed (m or
// ft AMSL, flight levels, and m or ft AGL where the mechanism declares terrain bounds): the
// server, not the console, relates it to mean sea level (R-HEIGHT-1). The time window is UTC. While a notice is drafted the server checks it (check.js); any
// change of an input clears the last check's result at once, before the next one is asked.
// Errors name the field in words ("Volume 1: lower altitude — …") and mark its input. Own
// notices and zones are amended here too.
import L from "./leaflet-global.js";
import { post, put } from "./api.js";
import { band, esc, idLine, minutes, partyName, utc } from "./format.js";
import { t } from "./i18n.js";
import { PRIORITY_STATUSES, conflictName, kindWord } from "./names.js";
import { layerOutline, outlineLayers, toLatLng } from "./shapes.js";
import { DraftCheck } from "./check.js";
import * as coordinates from "./coordinates.js";

const NOTICE_KINDS = ["air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"];
const ZONE_KINDS = ["protected", "red_line", "restricted"];
const OWN_COLOUR = "#1565c0";

/** What the form says beside the altitude unit (m, ft, fl, m_agl, ft_agl, m_w84, ft_w84): what
 * it files. */
const unitNote = (unit) => t(`file.unit_note.${unit}`);

/** The textarea's label (a key of the console's words) and rows for each shape. */
const SHAPE_TEXT = {
  Polygon: ["file.vertices", 4],
  Circle: ["file.centre", 1],
  Corridor: ["file.path_points", 3],
};

/** Inputs whose value goes into the outline typed in the form. */
const OUTLINE_INPUTS = new Set(["shape", "coordinates", "radius", "radius_unit", "half_width", "half_width_unit"]);

/** How long typing may pause before a line that cannot be read is reported, ms. */
const TYPED_ERROR_DELAY_MS = 500;

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** "YYYY-MM-DD HH:MM" of a Date, in UTC: the form's time fields are UTC, 24-hour. */
const inputUtc = (d) => d.toISOString().slice(0, 16).replace("T", " ");

/** An RFC 3339 UTC time from "YYYY-MM-DD HH:MM" (or with a T, seconds, a trailing Z). */
export function parseUtc(text) {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?Z?$/.exec(text.trim());
  if (!m) return null;
  return `${m[1]}T${m[2]}${m[3] || ":00"}Z`;
}

/** The altitude units offered (their labels as the wire says them); AGL only where the
 * mechanism declares terrain bounds, as the server takes AGL heights only there. */
const ALTITUDE_LABELS = { m: "m AMSL", ft: "ft AMSL", fl: "FL", m_agl: "m AGL", ft_agl: "ft AGL", m_w84: "m W84", ft_w84: "ft W84" };

const altitudeUnits = (mechanism) => {
  const datums = mechanism && mechanism.datums;
  const terrain = datums && datums.terrain_min_m !== null && datums.terrain_min_m !== undefined;
  return Object.entries(ALTITUDE_LABELS)
    .filter(([unit]) => terrain || !unit.endsWith("_agl"))
    .map(([unit, label]) => `<option value="${unit}">${label}</option>`)
    .join("");
};

const units = (name, chosen) =>
  `<select name="${name}" aria-label="unit">${Object.keys(coordinates.DISTANCE_UNITS_M)
    .map((u) => `<option value="${u}"${u === chosen ? " selected" : ""}>${u}</option>`)
    .join("")}</select>`;

/**
 * A field of the form in words, and the name of its input, from the path of a server error
 * (``["volumes", 0, "altitude", "lower_m"]`` → "Volume 1: lower altitude", "lower").
 * ``lines`` maps a typed outline's vertex index to the text's line, when it was typed.
 * Returns ``{words, input}``; ``input`` is null when no single input holds the field.
 */
export function fieldOfPath(path, lines = null) {
  const p = [...(path || [])];
  let prefix = "";
  if (p[0] === "volumes" && Number.isInteger(p[1])) {
    prefix = t("field.volume", { n: p[1] + 1 });
    p.splice(0, 2);
  } else if (p[0] === "volume") p.shift();
  const at = (k) => (lines && lines[k] ? t("field.at_line", { line: lines[k] }) : "");
  const [a, b, c, d] = p;
  let found;
  if (a === undefined) found = prefix ? [t("field.the_volume"), "coordinates"] : [t("field.the_form"), null];
  else if (a === "title") found = [t("field.title"), "title"];
  else if (a === "remarks") found = [t("field.remarks"), "remarks"];
  else if (a === "kind") found = [t("field.kind"), "kind"];
  else if (a === "volumes") found = [t("field.volumes"), "coordinates"];
  else if (a === "altitude")
    found = b === "upper_m" || b === "upper" ? [t("field.upper"), "upper"] : b === "lower_m" || b === "lower" ? [t("field.lower"), "lower"] : [t("field.band"), "lower"];
  else if (a === "time") found = b === "end" ? [t("field.end"), "end"] : [t("field.start"), "start"];
  else if (a === "schedule")
    found = b === "first_date" ? [t("field.first_date"), "first_date"] : b === "last_date" ? [t("field.last_date"), "last_date"] : b === "to" ? [t("field.daily_to"), "daily_to"] : b === "from" ? [t("field.daily_from"), "daily_from"] : [t("field.weekdays"), "daily_from"];
  else if (a === "outline") {
    if (b === "coordinates" && Number.isInteger(d)) found = [t("field.vertex", { n: d + 1 }) + at(d), "coordinates"];
    else if (b === "coordinates" && Number.isInteger(c) && c > 0) found = [t("field.hole", { n: c }), "coordinates"];
    else if (b === "center") found = [t("field.centre"), "coordinates"];
    else if (b === "radius_m") found = [t("field.radius"), "radius"];
    else if (b === "path" && Number.isInteger(c)) found = [t("field.corridor_point", { n: c + 1 }) + at(c), "coordinates"];
    else if (b === "half_width_m") found = [t("field.half_width"), "half_width"];
    else found = [t("field.outline"), "coordinates"];
  } else found = [p.filter((x) => typeof x === "string").map((x) => x.replace(/_m$|_s$/, "").replaceAll("_", " ")).join(" "), null];
  const words = `${prefix}${found[0]}`;
  return { words: words.charAt(0).toLocaleUpperCase() + words.slice(1), input: found[1] };
}

/** The reason of a refusal without the raw path the server may have put in front of it. */
function reasonOf(problem) {
  const first = problem && Array.isArray(problem.errors) && problem.errors[0];
  const text = (first && first.reason) || (problem && (problem.detail || problem.title)) || t("file.refused");
  return text.replace(/^[\w.]+: /, "");
}

export class Filing {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.outline = null;
    this.typedLines = null;
    this.mode = "notice";
    this.amending = null;
    this.errorTimer = null;
    /** The parser of typed coordinates, reachable from the page (tests drive it there). */
    this.coordinates = coordinates;
    const start = new Date(Date.now() + 2 * 3600e3);
    start.setUTCMinutes(0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600e3);
    this.el.innerHTML = `
      <form id="file-form" class="file-form" novalidate>
        <div class="row mode" role="radiogroup" aria-label="${esc(t("file.what"))}">
          <label class="inline"><input type="radio" name="what" value="notice" checked> ${esc(t("file.notice"))}</label>
          <label class="inline"><input type="radio" name="what" value="zone"> ${esc(t("file.zone"))}</label>
        </div>
        <fieldset class="shape">
          <legend>${esc(t("file.outline_legend"))}</legend>
          <div class="draw-buttons">
            <button type="button" data-draw="Polygon">${esc(t("file.draw_polygon"))}</button>
            <button type="button" data-draw="Circle">${esc(t("file.draw_circle"))}</button>
            <button type="button" data-draw="Line">${esc(t("file.draw_corridor"))}</button>
          </div>
          <div class="row">
            <label>${esc(t("file.shape"))} <select name="shape">
              <option value="Polygon">${esc(t("file.polygon"))}</option><option value="Circle">${esc(t("file.circle"))}</option><option value="Corridor">${esc(t("file.corridor"))}</option>
            </select></label>
            <label class="shape-circle">${esc(t("field.radius"))} <span class="with-unit"><input name="radius" type="number" min="0" step="any" value="10">${units("radius_unit", "NM")}</span></label>
            <label class="shape-corridor">${esc(t("field.half_width"))} <span class="with-unit"><input name="half_width" type="number" min="0" step="any" value="5">${units("half_width_unit", "km")}</span></label>
          </div>
          <label><span id="file-coordinates-label">${esc(t("file.vertices"))}</span>
            <textarea name="coordinates" id="file-coordinates" data-testid="file-coordinates" rows="4" spellcheck="false" autocomplete="off" dir="ltr"
              aria-describedby="file-coordinates-help file-coordinates-errors"
              placeholder="34°30'00&quot;N 036°06'00&quot;E&#10;34.6N 36.25E&#10;37S BU 33729 21415"></textarea></label>
          <p id="file-coordinates-help" class="muted hint">${esc(t("file.coordinates_help"))} <code>34.5N 36.1E</code> ·
            <code>34°30'00"N 036°06'00"E</code> · <code>343000N 0360600E</code> · MGRS <code>37S BU 33729 21415</code></p>
          <ul id="file-coordinates-errors" class="error coordinate-errors" role="alert"></ul>
          <p id="file-shape" class="muted status">${esc(t("file.nothing_yet"))}</p>
        </fieldset>
        <label>${esc(t("file.title"))} <input name="title" required maxlength="200" value="" dir="auto"></label>
        <label>${esc(t("file.kind"))} <select name="kind"></select></label>
        <label class="notice-only">${esc(t("file.priority"))} <select name="priority_status" data-testid="file-priority" aria-describedby="file-priority-note">
          <option value="">${esc(t("priority_status.none"))}</option>${PRIORITY_STATUSES.map((p) => `<option value="${p}">${esc(t(`priority_status.${p}`))}</option>`).join("")}
        </select></label>
        <p id="file-priority-note" class="muted hint notice-only">${esc(t("file.priority_note"))}</p>
        <label class="notice-only check"><input type="checkbox" name="request_agreement" data-testid="file-request-agreement"> ${esc(t("file.request_agreement"))}</label>
        <div class="row">
          <label>${esc(t("file.lower"))} <input name="lower" type="number" value="3000" step="any"></label>
          <label>${esc(t("file.upper"))} <input name="upper" type="number" value="9000" step="any"></label>
          <label>${esc(t("file.unit"))} <select name="unit">${altitudeUnits(app.state && app.state.mechanism)}</select></label>
        </div>
        <div class="row">
          <label class="check"><input type="checkbox" name="sfc" data-testid="file-sfc"> ${esc(t("file.sfc"))}</label>
          <label class="check"><input type="checkbox" name="unl" data-testid="file-unl"> ${esc(t("file.unl"))}</label>
        </div>
        <p id="file-unit-note" class="muted hint" data-unit="m">${esc(unitNote("m"))}</p>
        <p id="file-kept" class="hint" data-testid="file-kept" hidden></p>
        <label class="notice-only"><input type="checkbox" name="recurring" data-testid="file-recurring"> ${esc(t("file.recurring"))}</label>
        <div class="row file-window">
          <label>${esc(t("file.start"))} <input name="start" placeholder="YYYY-MM-DD HH:MM" value="${inputUtc(start)}" dir="ltr"></label>
          <label>${esc(t("file.end"))} <input name="end" placeholder="YYYY-MM-DD HH:MM" value="${inputUtc(end)}" dir="ltr"></label>
        </div>
        <fieldset class="file-schedule notice-only" hidden>
          <legend>${esc(t("file.recurring_legend"))}</legend>
          <div class="row">${WEEKDAYS.map((d) => `<label><input type="checkbox" name="weekday" value="${d}"${d === "SA" || d === "SU" ? "" : " checked"}> ${esc(t(`weekday.${d}`))}</label>`).join("")}</div>
          <div class="row">
            <label>${esc(t("file.daily_from"))} <input name="daily_from" placeholder="HH:MM" value="07:00" dir="ltr"></label>
            <label>${esc(t("file.daily_to"))} <input name="daily_to" placeholder="HH:MM" value="11:30" dir="ltr"></label>
          </div>
          <div class="row">
            <label>${esc(t("file.first_date"))} <input name="first_date" placeholder="YYYY-MM-DD" value="${inputUtc(start).slice(0, 10)}" dir="ltr"></label>
            <label>${esc(t("file.last_date"))} <input name="last_date" placeholder="YYYY-MM-DD" value="${inputUtc(new Date(start.getTime() + 13 * 86400e3)).slice(0, 10)}" dir="ltr"></label>
          </div>
          <p class="muted hint">${esc(t("file.recurring_note"))}</p>
        </fieldset>
        <label>${esc(t("file.remarks"))} <textarea name="remarks" rows="2" maxlength="2000" dir="auto"></textarea></label>
        <section id="file-check" class="file-check" aria-live="polite"></section>
        <div class="row">
          <button type="button" id="file-check-now" data-testid="file-check">${esc(t("file.check"))}</button>
          <button type="submit" id="file-submit" data-testid="file-submit">${esc(t("file.file_notice"))}</button>
          <button type="button" id="file-clear">${esc(t("file.clear"))}</button>
        </div>
        <p id="file-error" class="error" role="alert"></p>
      </form>
      <section id="file-result" class="file-result" aria-live="polite"></section>`;
    this.form = this.el.querySelector("#file-form");
    this.preview = L.layerGroup().addTo(this.app.map.map); // what was typed, before filing
    this.check = new DraftCheck(app, this.el.querySelector("#file-check"), { refused: (err) => this.refusedByCheck(err) });
    this.setMode("notice");
    this._shapeFields();
    for (const b of this.el.querySelectorAll("[data-draw]"))
      b.addEventListener("click", () => {
        this.preview.clearLayers();
        this.app.map.draw(b.dataset.draw, (layer) => this.drawn(layer));
        this.form.shape.value = b.dataset.draw === "Line" ? "Corridor" : b.dataset.draw;
        this._shapeFields();
        this.el.querySelector("#file-shape").textContent =
          b.dataset.draw === "Polygon" ? t("file.howto_polygon") : b.dataset.draw === "Circle" ? t("file.howto_circle") : t("file.howto_corridor");
      });
    for (const radio of this.form.querySelectorAll("[name=what]"))
      radio.addEventListener("change", () => radio.checked && this.setMode(radio.value));
    this.el.querySelector("#file-clear").addEventListener("click", () => this.clear());
    this.el.querySelector("#file-check-now").addEventListener("click", () => this.checkNow());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.file();
    });
    this.form.recurring.addEventListener("change", () => this._recurringFields());
    this.form.addEventListener("input", (e) => this.edited(e.target));
    // a select may report only "change"; a textarea left reports its unreadable lines at once
    this.form.addEventListener("change", (e) => {
      if (e.target.tagName === "SELECT") this.edited(e.target);
      if (e.target.name === "coordinates") this._showTypedErrors();
    });
  }

  /** Recurring windows (notices only) instead of one start and end. */
  _recurring() {
    return this.mode === "notice" && this.form.recurring.checked;
  }

  _recurringFields() {
    const on = this._recurring();
    this.el.querySelector(".file-schedule").hidden = !on;
    this.el.querySelector(".file-window").hidden = on;
    this.changed();
  }

  /** The schedule the form's recurring fields give (R-SCHED-1), or null when one is unreadable. */
  schedule() {
    const f = this.form;
    const weekdays = [...f.querySelectorAll("[name=weekday]:checked")].map((b) => b.value);
    const plan = { weekdays, from: f.daily_from.value.trim(), to: f.daily_to.value.trim(), first_date: f.first_date.value.trim(), last_date: f.last_date.value.trim() };
    const ok = weekdays.length && HHMM.test(plan.from) && HHMM.test(plan.to) && DATE.test(plan.first_date) && DATE.test(plan.last_date);
    return ok ? plan : null;
  }

  /** "notice" or "zone": the kinds offered, the button, whether the end may stay open. */
  setMode(mode) {
    this.mode = mode;
    for (const radio of this.form.querySelectorAll("[name=what]")) radio.checked = radio.value === mode;
    const kinds = mode === "zone" ? ZONE_KINDS : NOTICE_KINDS;
    this.form.kind.innerHTML = kinds.map((k) => `<option value="${k}">${esc(kindWord(k))}</option>`).join("");
    this.form.end.placeholder = mode === "zone" ? t("file.end_open") : "YYYY-MM-DD HH:MM";
    for (const el of this.el.querySelectorAll(".notice-only")) el.hidden = mode === "zone"; // zones have no priority
    if (mode === "zone") this.form.recurring.checked = false; // nor recurring windows
    this.el.querySelector(".file-schedule").hidden = !this._recurring();
    this.el.querySelector(".file-window").hidden = this._recurring();
    this.el.dataset.mode = mode;
    this.el.querySelector("#file-check-now").hidden = mode === "zone"; // zones have no check
    this._button();
    if (mode === "zone") this.check.clear();
    else this.changed();
  }

  _button() {
    const b = this.el.querySelector("#file-submit");
    if (this.amending) b.textContent = t("file.amend_version", { version: this.amending.version });
    else b.textContent = this.mode === "zone" ? t("file.declare_zone") : t("file.file_notice");
  }

  /** Show the radius for a circle, the half width for a corridor, and label the text area. */
  _shapeFields() {
    const shape = this.form.shape.value;
    this.el.querySelector(".shape-circle").hidden = shape !== "Circle";
    this.el.querySelector(".shape-corridor").hidden = shape !== "Corridor";
    const [label, rows] = SHAPE_TEXT[shape];
    this.el.querySelector("#file-coordinates-label").textContent = t(label);
    this.form.coordinates.rows = rows;
  }

  /** An input changed: the last check and the errors about the old inputs no longer hold. */
  edited(target) {
    this.check.clear();
    this._clearErrors();
    if (target.name === "unit") this._unitNote();
    if (target.name === "sfc" || target.name === "unl") this._specialLimits();
    if (OUTLINE_INPUTS.has(target.name)) {
      if (target.name === "shape") this._shapeFields();
      this.typed();
    }
    this.changed();
  }

  /** A limit at the surface (SFC) or unlimited (UNL) has no value: its number input is off. */
  _specialLimits() {
    const f = this.form;
    f.lower.disabled = f.sfc.checked;
    f.upper.disabled = f.unl.checked;
  }

  /** Say beside the altitude unit how the form converts it. */
  _unitNote() {
    const unit = this.form.unit.value;
    const note = this.el.querySelector("#file-unit-note");
    note.textContent = unitNote(unit);
    note.dataset.unit = unit;
  }

  /** The distance of a number input and its unit select, in metres (NaN when unreadable). */
  _distanceM(name) {
    const input = this.form[name];
    if (input.value.trim() === "") return NaN;
    return coordinates.distanceM(Number(input.value), this.form[`${name}_unit`].value);
  }

  /** Read the typed outline: on success it becomes the outline to file, drawn as a preview
   * (the shape drawn before, if any, is removed); lines that cannot be read are reported after
   * a pause in typing. */
  typed() {
    const text = this.form.coordinates.value;
    clearTimeout(this.errorTimer);
    this.app.map.clearDrawn();
    this.preview.clearLayers();
    if (!text.trim()) {
      this.outline = null;
      this.typedLines = null;
      this._typedErrors([]);
      this._describe(t("file.nothing_yet"));
      return;
    }
    const result = coordinates.typedOutline({
      shape: this.form.shape.value,
      text,
      radius_m: this._distanceM("radius"),
      half_width_m: this._distanceM("half_width"),
    });
    this.outline = result.outline;
    this.typedLines = result.outline ? result.lines : null;
    this._typedErrors(result.errors, { shown: false });
    if (!result.outline) {
      this._describe(t("file.typed_unreadable"));
      this.errorTimer = setTimeout(() => this._showTypedErrors(), TYPED_ERROR_DELAY_MS);
      return;
    }
    this._drawPreview(result.outline, result.lines);
    this._describe(t("file.typed", { shape: this._summary(result.outline) }), result.outline.type);
  }

  /** Keep the unreadable lines of the typed outline; list them under the text area now, or
   * (``shown: false``) only once typing pauses. */
  _typedErrors(errors, { shown = true } = {}) {
    this.typedErrors = errors;
    this.el.querySelector("#file-coordinates-errors").innerHTML = "";
    if (shown) this._showTypedErrors();
    else this._markTextarea(false);
  }

  _showTypedErrors() {
    clearTimeout(this.errorTimer);
    const errors = this.typedErrors || [];
    this.el.querySelector("#file-coordinates-errors").innerHTML = errors.map((e) => `<li>${esc(e)}</li>`).join("");
    this._markTextarea(errors.length > 0);
  }

  /** The text area is invalid while a typed line is reported or the server refused it. */
  _markTextarea(unreadable) {
    const textarea = this.form.coordinates;
    if (unreadable || textarea.dataset.flagged) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }

  /** Draw the typed outline (dashed) with each vertex numbered by its line, and bring it into
   * view when it lies outside the map's view. */
  _drawPreview(outline, lines) {
    const style = { color: OWN_COLOUR, weight: 2, dashArray: "6 4", fillColor: OWN_COLOUR, fillOpacity: 0.12, interactive: false, className: "typed-preview" };
    const bounds = L.latLngBounds([]);
    for (const layer of outlineLayers(outline, style)) {
      layer.addTo(this.preview);
      if (layer.getBounds) bounds.extend(layer.getBounds());
    }
    const vertices = outline.type === "Circle" ? [outline.center] : outline.type === "Corridor" ? outline.path : outline.coordinates[0].slice(0, -1);
    vertices.forEach((position, k) => {
      L.circleMarker(toLatLng(position), { radius: 3, color: OWN_COLOUR, weight: 1, fillOpacity: 1, interactive: false, className: "typed-vertex" })
        .bindTooltip(String(lines[k]), { permanent: true, direction: "top", className: "typed-vertex-label", offset: [0, -3] })
        .addTo(this.preview);
    });
    if (bounds.isValid() && !this.app.map.map.getBounds().contains(bounds)) this.app.map.focus(outline);
  }

  _summary(o) {
    return o.type === "Circle"
      ? t("file.summary_circle", { km: (o.radius_m / 1000).toFixed(1), centre: coordinates.formatPosition(o.center) })
      : o.type === "Polygon"
        ? t("file.summary_polygon", { count: o.coordinates[0].length - 1 })
        : t("file.summary_corridor", { count: o.path.length });
  }

  _describe(text, shape = null) {
    const p = this.el.querySelector("#file-shape");
    p.textContent = text;
    if (shape) p.dataset.drawn = shape;
    else delete p.dataset.drawn;
  }

  /** Write an outline into the typed fields (after drawing it, or to amend it). */
  _write(outline) {
    const f = this.form;
    f.shape.value = outline.type;
    f.coordinates.value = coordinates.outlineText(outline);
    if (outline.type === "Circle") f.radius.value = String(coordinates.inUnit(outline.radius_m, f.radius_unit.value));
    if (outline.type === "Corridor" && Number.isFinite(outline.half_width_m))
      f.half_width.value = String(coordinates.inUnit(outline.half_width_m, f.half_width_unit.value));
    this.typedLines = null;
    this._typedErrors([]);
    this._shapeFields();
  }

  drawn(layer) {
    this.preview.clearLayers();
    if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
      const path = layer.getLatLngs().map((p) => [Math.round(p.lng * 1e6) / 1e6, Math.round(p.lat * 1e6) / 1e6]);
      this.outline = { type: "Corridor", path, half_width_m: this._distanceM("half_width") };
    } else {
      this.outline = layerOutline(layer);
    }
    this._write(this.outline);
    this._describe(t("file.drawn", { shape: this._summary(this.outline) }), this.outline.type);
    this.check.clear();
    this._clearErrors();
    this.changed();
    if (!this.form.title.value) this.form.title.focus();
  }

  /** The draft changed: ask the server again (notices only; zones have no check). */
  changed() {
    if (this.mode !== "notice" || !this.outline) return;
    const f = this.form;
    const timed = this._recurring() ? this.schedule() : parseUtc(f.start.value) && parseUtc(f.end.value);
    if (!timed || (f.lower.value === "" && !f.sfc.checked) || (f.upper.value === "" && !f.unl.checked)) return;
    this.check.schedule(this._checkBody(), this._amendingNotice());
  }

  _checkBody() {
    const body = this.noticeBody();
    if (!body.title) body.title = "draft";
    return body;
  }

  _amendingNotice() {
    return this.amending && this.amending.type === "notice" ? this.amending.id : null;
  }

  /** The Check button: the same server check, now, after the form's own checks. */
  checkNow() {
    if (this.mode !== "notice") return;
    this._clearErrors();
    if (!this._valid({ needTitle: false })) return;
    this.check.now(this._checkBody(), this._amendingNotice());
  }

  _load(volume, title, kind, remarks) {
    const f = this.form;
    f.title.value = title;
    f.kind.value = kind;
    f.remarks.value = remarks;
    // the band as filed; one the form cannot say (SFC, UNL, W84, two units) loads as its AMSL
    // interval in metres: wider than filed, never narrower
    const metres = volume.altitude.amsl_m || volume.altitude;
    const filed = coordinates.formBand(volume.altitude);
    const shown = filed && [...f.unit.options].some((o) => o.value === filed.unit) ? filed : { unit: "m", lower: metres.lower_m, upper: metres.upper_m, sfc: false, unl: false };
    f.unit.value = shown.unit;
    this._unitNote();
    f.sfc.checked = shown.sfc;
    f.unl.checked = shown.unl;
    f.lower.value = shown.sfc ? "" : String(shown.lower);
    f.upper.value = shown.unl ? "" : String(shown.upper);
    this._specialLimits();
    f.start.value = inputUtc(new Date(volume.time.start));
    f.end.value = volume.time.end ? inputUtc(new Date(volume.time.end)) : "";
    const plan = volume.schedule;
    f.recurring.checked = Boolean(plan);
    if (plan) {
      for (const b of f.querySelectorAll("[name=weekday]")) b.checked = plan.weekdays.includes(b.value);
      f.daily_from.value = plan.from;
      f.daily_to.value = plan.to;
      f.first_date.value = plan.first_date;
      f.last_date.value = plan.last_date;
    }
    this.el.querySelector(".file-schedule").hidden = !this._recurring();
    this.el.querySelector(".file-window").hidden = this._recurring();
    this.outline = volume.outline;
    this._write(volume.outline);
    if (volume.outline.type !== "Corridor") {
      const [layer] = outlineLayers(volume.outline, { color: OWN_COLOUR, dashArray: "4 4" });
      layer.addTo(this.app.map.map);
      this.app.map.onDrawn = (l) => this.drawn(l);
      this.app.map._drawn(layer);
    } else this._drawPreview(volume.outline, volume.outline.path.map((_p, k) => k + 1));
    this.app.map.focus(volume.outline);
    this._describe(t("file.howto_amend"), volume.outline.type);
    this.app.showTab("file");
  }

  /** Load one of the operator's own notices into the form, to amend it. */
  amend(notice) {
    if (!notice) return;
    this.clear();
    this.setMode("notice");
    // the form has no contact field: an amendment sends the notice's own back, or it would clear it
    // the form edits the first volume; the others go back as they are (an amendment replaces
    // the whole list: sending one volume would delete the rest)
    const kept = notice.volumes.slice(1).map(({ index, ...volume }) => volume);
    this.amending = { type: "notice", id: notice.id, version: notice.version, contact: notice.contact || "", kept };
    this._load(notice.volumes[0], notice.title, notice.kind, notice.remarks);
    const note = this.el.querySelector("#file-kept");
    note.hidden = kept.length === 0;
    note.textContent = kept.length ? t("file.amend_kept", { count: notice.volumes.length }) : "";
    // an amendment sends the whole notice: without its status it would clear it
    this.form.priority_status.value = notice.priority_status || "";
    this.form.request_agreement.checked = Boolean(notice.request_agreement);
    this._button();
    this.changed();
  }

  /** Load one of the operator's own zones into the form, to amend it. */
  amendZone(zone) {
    if (!zone) return;
    this.clear();
    this.setMode("zone");
    this.amending = { type: "zone", id: zone.id, version: zone.version };
    this._load(zone.volume, zone.title, zone.kind, zone.remarks);
    this._button();
  }

  clear() {
    this.app.map.clearDrawn();
    this.preview.clearLayers();
    this.amending = null;
    const kept = this.el.querySelector("#file-kept");
    kept.hidden = true;
    kept.textContent = "";
    this._button();
    this.outline = null;
    this.typedLines = null;
    this.form.coordinates.value = "";
    this._typedErrors([]);
    this.check.clear();
    this._clearErrors();
    this._describe(t("file.nothing_yet"));
  }

  volume() {
    const f = this.form;
    const unit = f.unit.value;
    if (this.outline && this.outline.type === "Corridor") this.outline.half_width_m = this._distanceM("half_width");
    const end = f.end.value.trim() ? parseUtc(f.end.value) : null;
    const altitude = coordinates.altitudeBand(Number(f.lower.value), Number(f.upper.value), unit, { sfc: f.sfc.checked, unl: f.unl.checked });
    if (this._recurring()) return { outline: this.outline, altitude, schedule: this.schedule() };
    return { outline: this.outline, altitude, time: { start: parseUtc(f.start.value), end } };
  }

  noticeBody() {
    const f = this.form;
    const kept = (this.amending && this.amending.kept) || [];
    return { kind: f.kind.value, title: f.title.value.trim(), remarks: f.remarks.value, volumes: [this.volume(), ...kept], priority_status: f.priority_status.value || null, request_agreement: f.request_agreement.checked };
  }

  zoneBody() {
    const f = this.form;
    return { kind: f.kind.value, title: f.title.value.trim(), remarks: f.remarks.value, volume: this.volume() };
  }

  // ---- errors ------------------------------------------------------------------------------

  /** Show ``message`` as the form's error and mark the input named ``input``. */
  _flag(message, input) {
    this.el.querySelector("#file-error").textContent = message;
    this._mark(input);
  }

  /** Mark the input named ``name`` invalid (aria-invalid, styled) and bring it into view. */
  _mark(name) {
    const target = name && this.form.elements.namedItem(name);
    if (!target) return;
    target.setAttribute("aria-invalid", "true");
    target.dataset.flagged = "true";
    target.scrollIntoView({ block: "nearest" });
  }

  /** Forget the flagged inputs and the form's error (the unreadable typed lines stay). */
  _clearErrors() {
    this.el.querySelector("#file-error").textContent = "";
    for (const input of this.form.querySelectorAll("[data-flagged]")) {
      delete input.dataset.flagged;
      input.removeAttribute("aria-invalid");
    }
    this._markTextarea(this.el.querySelector("#file-coordinates-errors").childElementCount > 0);
  }

  /** A refusal of the server in words, naming the field instead of its path. */
  _refusal(err) {
    const problem = err.problem || {};
    const path = Array.isArray(problem.path) ? problem.path : [];
    const { words, input } = fieldOfPath(path, this.typedLines);
    // the refusal in the operator's words (by its code), the server's own reason after it
    const reason = err.said ? `${err.said} (${reasonOf(problem)})` : reasonOf(problem);
    return { message: path.length ? `${words} — ${reason}` : reason, input };
  }

  /** The server's check refused the draft: mark the field; the check shows the words. */
  refusedByCheck(err) {
    const { message, input } = this._refusal(err);
    this._mark(input);
    return message;
  }

  /** The form's own checks before anything is sent; flags the first problem. */
  _valid({ needTitle }) {
    const f = this.form;
    const openEnded = this.mode === "zone" && !f.end.value.trim();
    if (this.typedErrors && this.typedErrors.length) {
      this._showTypedErrors();
      this._flag(t("file.error.outline_line", { error: this.typedErrors[0] }), "coordinates");
    } else if (!this.outline) this._flag(t("file.error.outline"), "coordinates");
    else if (this.outline.type === "Circle" && !(this.outline.radius_m > 0)) this._flag(t("file.error.radius"), "radius");
    else if (this.outline.type === "Corridor" && !(this._distanceM("half_width") > 0)) this._flag(t("file.error.half_width"), "half_width");
    else if (!f.sfc.checked && (f.lower.value.trim() === "" || !Number.isFinite(Number(f.lower.value)))) this._flag(t("file.error.lower"), "lower");
    else if (!f.unl.checked && (f.upper.value.trim() === "" || !Number.isFinite(Number(f.upper.value)))) this._flag(t("file.error.upper"), "upper");
    else if (this._recurring() && !this.schedule()) this._flag(t("file.error.schedule"), "daily_from");
    else if (!this._recurring() && !parseUtc(f.start.value)) this._flag(t("file.error.start"), "start");
    else if (!this._recurring() && !openEnded && !parseUtc(f.end.value)) this._flag(t("file.error.end"), "end");
    else if (needTitle && !f.title.value.trim()) this._flag(t(`file.error.title_${this.mode}`), "title");
    else return true;
    return false;
  }

  async file() {
    this._clearErrors();
    if (!this._valid({ needTitle: true })) return;
    const button = this.el.querySelector("#file-submit");
    button.disabled = true;
    const a = this.amending;
    try {
      let done;
      if (this.mode === "zone")
        done = a ? await put(`/v1/zones/${encodeURIComponent(a.id)}`, this.zoneBody(), a.version) : await post("/v1/zones", this.zoneBody());
      else
        done = a ? await put(`/v1/notices/${encodeURIComponent(a.id)}`, { ...this.noticeBody(), contact: a.contact }, a.version) : await post("/v1/notices", this.noticeBody());
      this.showResult(done, this.mode);
      this.clear();
      this.app.refresh(["notices", "zones", "conflicts", "pending"]);
    } catch (err) {
      const verb = this.mode === "zone" ? "file.not_declared" : "file.not_filed";
      if (err.status === 412) this._flag(t(`file.changed_meanwhile_${this.mode}`), null);
      else if (err.problem) {
        const { message, input } = this._refusal(err);
        this._flag(t(verb, { reason: message }), input);
      }
      else this._flag(t(verb, { reason: err.message }), null);
    } finally {
      button.disabled = false;
    }
  }

  showResult(done, mode) {
    const s = this.app.state;
    s.titles.set(done.id, done.title);
    const conflicts = done.conflicts.length
      ? `<ul class="conflicts">${done.conflicts
          .map(
            (c) => `<li data-conflict="${esc(c.id)}"><strong>${esc(conflictName(c, s, { window: false }))}</strong><br>${band(c.altitude)} · ${utc(c.window.start)} → ${utc(c.window.end)} · ${esc(t("check.apart", { metres: Math.round(c.distance_m) }))}</li>`,
          )
          .join("")}</ul>`
      : `<p>${esc(t("check.no_conflict"))}</p>`;
    const verb = done.version > 1 ? "file.result_amended" : mode === "zone" ? "file.result_declared" : "file.result_filed";
    const late = done.late ? ` — <span class="late">${esc(t("check.late_for", { parties: done.late_for.map((p) => partyName(s, p)).join(", ") }))}</span>` : "";
    const lead = mode === "notice" ? `<p>${esc(t("file.lead_time", { lead: minutes(done.lead_time_s) }))}${late}</p>` : `<p><span class="chip zone-${esc(done.kind)}">${esc(kindWord(done.kind))}</span> ${band(done.volume.altitude)}</p>`;
    this.el.querySelector("#file-result").innerHTML = `
      <h3>${esc(t(verb, { name: done.title, version: done.version }))}</h3>
      ${lead}
      <p id="file-conflict-count" data-count="${done.conflicts.length}">${esc(t("file.conflicts_reported", { count: done.conflicts.length }))}</p>
      ${conflicts}
      <p class="muted">${idLine(done.id)}</p>`;
  }
}
