// Filing a notice or declaring a zone: draw a polygon, circle or corridor on the map, give the
// altitude band (metres or flight levels), the time window in UTC, the kind and remarks; while
// a notice is drafted the server checks it (check.js), so its conflicts show before filing;
// file, and see the conflicts the server reports. Own notices and zones are amended here too.
import L from "./leaflet-global.js";
import { post, put } from "./api.js";
import { band, conflictTitle, esc, minutes, utc } from "./format.js";
import { layerOutline, outlineLayers } from "./shapes.js";
import { DraftCheck } from "./check.js";

const NOTICE_KINDS = ["air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"];
const ZONE_KINDS = ["protected", "red_line", "restricted"];
const FT_M = 0.3048;

/** "YYYY-MM-DD HH:MM" of a Date, in UTC: the form's time fields are UTC, 24-hour. */
const inputUtc = (d) => d.toISOString().slice(0, 16).replace("T", " ");

/** An RFC 3339 UTC time from "YYYY-MM-DD HH:MM" (or with a T, seconds, a trailing Z). */
export function parseUtc(text) {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?Z?$/.exec(text.trim());
  if (!m) return null;
  return `${m[1]}T${m[2]}${m[3] || ":00"}Z`;
}

export class Filing {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.outline = null;
    this.mode = "notice";
    this.amending = null;
    const start = new Date(Date.now() + 2 * 3600e3);
    start.setUTCMinutes(0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600e3);
    this.el.innerHTML = `
      <form id="file-form" class="file-form" novalidate>
        <div class="row mode" role="radiogroup" aria-label="what to file">
          <label class="inline"><input type="radio" name="what" value="notice" checked> Notice</label>
          <label class="inline"><input type="radio" name="what" value="zone"> Zone</label>
        </div>
        <fieldset class="shape">
          <legend>Outline</legend>
          <button type="button" data-draw="Polygon">Draw polygon</button>
          <button type="button" data-draw="Circle">Draw circle</button>
          <button type="button" data-draw="Line">Draw corridor</button>
          <label class="inline">half-width <input name="half_width_m" type="number" min="100" step="100" value="5000"> m</label>
          <p id="file-shape" class="muted">Nothing drawn yet.</p>
        </fieldset>
        <label>Title <input name="title" required maxlength="200" value=""></label>
        <label>Kind <select name="kind"></select></label>
        <div class="row">
          <label>Lower <input name="lower" type="number" value="3000" step="any"></label>
          <label>Upper <input name="upper" type="number" value="9000" step="any"></label>
          <label>Unit <select name="unit"><option value="m">m AMSL</option><option value="fl">FL</option></select></label>
        </div>
        <div class="row">
          <label>Start (UTC) <input name="start" placeholder="YYYY-MM-DD HH:MM" value="${inputUtc(start)}"></label>
          <label>End (UTC) <input name="end" placeholder="YYYY-MM-DD HH:MM" value="${inputUtc(end)}"></label>
        </div>
        <label>Remarks <textarea name="remarks" rows="2" maxlength="2000"></textarea></label>
        <section id="file-check" class="file-check" aria-live="polite"></section>
        <div class="row">
          <button type="submit" id="file-submit">File notice</button>
          <button type="button" id="file-clear">Clear</button>
        </div>
        <p id="file-error" class="error" role="alert"></p>
      </form>
      <section id="file-result" class="file-result" aria-live="polite"></section>`;
    this.form = this.el.querySelector("#file-form");
    this.check = new DraftCheck(app, this.el.querySelector("#file-check"));
    this.setMode("notice");
    for (const b of this.el.querySelectorAll("[data-draw]"))
      b.addEventListener("click", () => {
        this.app.map.draw(b.dataset.draw, (layer) => this.drawn(layer));
        this.el.querySelector("#file-shape").textContent =
          b.dataset.draw === "Polygon"
            ? "Click the corners on the map; click the first corner to close."
            : b.dataset.draw === "Circle"
              ? "Click the centre, then the edge."
              : "Click the path's points; click the last point again to finish.";
      });
    for (const radio of this.form.querySelectorAll("[name=what]"))
      radio.addEventListener("change", () => radio.checked && this.setMode(radio.value));
    this.el.querySelector("#file-clear").addEventListener("click", () => this.clear());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.file();
    });
    // what changes the conflicts: outline, band, window, kind (not the title or the remarks)
    this.form.addEventListener("input", (e) => {
      if (["lower", "upper", "unit", "start", "end", "kind", "half_width_m"].includes(e.target.name)) this.changed();
    });
    this.form.addEventListener("change", (e) => {
      if (["unit", "kind"].includes(e.target.name)) this.changed();
    });
  }

  /** "notice" or "zone": the kinds offered, the button, whether the end may stay open. */
  setMode(mode) {
    this.mode = mode;
    for (const radio of this.form.querySelectorAll("[name=what]")) radio.checked = radio.value === mode;
    const kinds = mode === "zone" ? ZONE_KINDS : NOTICE_KINDS;
    this.form.kind.innerHTML = kinds.map((k) => `<option>${k}</option>`).join("");
    this.form.end.placeholder = mode === "zone" ? "empty: open-ended" : "YYYY-MM-DD HH:MM";
    this.el.dataset.mode = mode;
    this._button();
    if (mode === "zone") this.check.clear();
    else this.changed();
  }

  _button() {
    const b = this.el.querySelector("#file-submit");
    if (this.amending) b.textContent = `Amend v${this.amending.version}`;
    else b.textContent = this.mode === "zone" ? "Declare zone" : "File notice";
  }

  drawn(layer) {
    if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
      const path = layer.getLatLngs().map((p) => [Math.round(p.lng * 1e6) / 1e6, Math.round(p.lat * 1e6) / 1e6]);
      this.outline = { type: "Corridor", path, half_width_m: Number(this.form.half_width_m.value) };
    } else {
      this.outline = layerOutline(layer);
    }
    const o = this.outline;
    const what =
      o.type === "Circle"
        ? `circle of ${(o.radius_m / 1000).toFixed(1)} km at ${o.center[1].toFixed(3)}, ${o.center[0].toFixed(3)}`
        : o.type === "Polygon"
          ? `polygon of ${o.coordinates[0].length - 1} corners`
          : `corridor of ${o.path.length} points`;
    this.el.querySelector("#file-shape").textContent = `Drawn: ${what}.`;
    this.el.querySelector("#file-shape").dataset.drawn = o.type;
    this.changed();
    if (!this.form.title.value) this.form.title.focus();
  }

  /** The draft changed: ask the server again (notices only; zones have no check). */
  changed() {
    if (this.mode !== "notice" || !this.outline) return;
    const f = this.form;
    if (!parseUtc(f.start.value) || !parseUtc(f.end.value) || f.lower.value === "" || f.upper.value === "") return;
    const body = this.noticeBody();
    if (!body.title) body.title = "draft";
    this.check.schedule(body, this.amending && this.amending.type === "notice" ? this.amending.id : null);
  }

  _load(volume, title, kind, remarks) {
    const f = this.form;
    f.title.value = title;
    f.kind.value = kind;
    f.remarks.value = remarks;
    f.unit.value = "m";
    f.lower.value = String(volume.altitude.lower_m);
    f.upper.value = String(volume.altitude.upper_m);
    f.start.value = inputUtc(new Date(volume.time.start));
    f.end.value = volume.time.end ? inputUtc(new Date(volume.time.end)) : "";
    this.outline = volume.outline;
    if (volume.outline.type === "Corridor") f.half_width_m.value = String(volume.outline.half_width_m);
    else {
      const [layer] = outlineLayers(volume.outline, { color: "#1565c0", dashArray: "4 4" });
      layer.addTo(this.app.map.map);
      this.app.map.onDrawn = (l) => this.drawn(l);
      this.app.map._drawn(layer);
    }
    this.app.map.focus(volume.outline);
    this.el.querySelector("#file-shape").textContent = "Drag the corners to change the outline, or draw a new one.";
    this.app.showTab("file");
  }

  /** Load one of the operator's own notices into the form, to amend it. */
  amend(notice) {
    if (!notice) return;
    this.clear();
    this.setMode("notice");
    this.amending = { type: "notice", id: notice.id, version: notice.version };
    this._load(notice.volumes[0], notice.title, notice.kind, notice.remarks);
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
    this.amending = null;
    this._button();
    this.outline = null;
    this.check.clear();
    this.el.querySelector("#file-shape").textContent = "Nothing drawn yet.";
    delete this.el.querySelector("#file-shape").dataset.drawn;
  }

  volume() {
    const f = this.form;
    const k = f.unit.value === "fl" ? 100 * FT_M : 1;
    if (this.outline && this.outline.type === "Corridor") this.outline.half_width_m = Number(f.half_width_m.value);
    const end = f.end.value.trim() ? parseUtc(f.end.value) : null;
    return {
      outline: this.outline,
      altitude: { lower_m: Number(f.lower.value) * k, upper_m: Number(f.upper.value) * k },
      time: { start: parseUtc(f.start.value), end },
    };
  }

  noticeBody() {
    const f = this.form;
    return { kind: f.kind.value, title: f.title.value.trim(), remarks: f.remarks.value, volumes: [this.volume()] };
  }

  zoneBody() {
    const f = this.form;
    return { kind: f.kind.value, title: f.title.value.trim(), remarks: f.remarks.value, volume: this.volume() };
  }

  async file() {
    const error = this.el.querySelector("#file-error");
    const f = this.form;
    error.textContent = "";
    const openEnded = this.mode === "zone" && !f.end.value.trim();
    if (!this.outline) error.textContent = "Draw the outline on the map first.";
    else if (!parseUtc(f.start.value) || (!openEnded && !parseUtc(f.end.value))) error.textContent = "Times are UTC as YYYY-MM-DD HH:MM.";
    else if (!f.title.value.trim()) error.textContent = `Give the ${this.mode} a title.`;
    if (error.textContent) return;
    const button = this.el.querySelector("#file-submit");
    button.disabled = true;
    const a = this.amending;
    try {
      let done;
      if (this.mode === "zone")
        done = a ? await put(`/v1/zones/${encodeURIComponent(a.id)}`, this.zoneBody(), a.version) : await post("/v1/zones", this.zoneBody());
      else
        done = a ? await put(`/v1/notices/${encodeURIComponent(a.id)}`, this.noticeBody(), a.version) : await post("/v1/notices", this.noticeBody());
      this.showResult(done, this.mode);
      this.clear();
      this.app.refresh(["notices", "zones", "conflicts", "pending"]);
    } catch (err) {
      error.textContent =
        err.status === 412 ? `Not amended: the ${this.mode} changed meanwhile; open it again from Objects.` : `Not ${this.mode === "zone" ? "declared" : "filed"}: ${err.message}`;
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
            (c) => `<li data-conflict="${esc(c.id)}"><strong>${esc(conflictTitle(c, s))}</strong><br>${band(c.altitude)} · ${utc(c.window.start)} → ${utc(c.window.end)} · ${Math.round(c.distance_m)} m apart</li>`,
          )
          .join("")}</ul>`
      : `<p>No conflict.</p>`;
    const verb = done.version > 1 ? "Amended" : mode === "zone" ? "Declared" : "Filed";
    const lead = mode === "notice" ? `<p>Lead time ${minutes(done.lead_time_s)}${done.late ? ` — <span class="late">late for ${esc(done.late_for.join(", "))}</span>` : ""}.</p>` : `<p>Zone <span class="chip zone-${esc(done.kind)}">${esc(done.kind)}</span> ${band(done.volume.altitude)}.</p>`;
    this.el.querySelector("#file-result").innerHTML = `
      <h3>${verb} <code>${esc(done.id)}</code> v${done.version}</h3>
      ${lead}
      <p id="file-conflict-count" data-count="${done.conflicts.length}">${done.conflicts.length} conflict(s) reported by the server:</p>
      ${conflicts}`;
  }
}
