// Filing a notice: draw a polygon, circle or corridor on the map, give the altitude band (metres
// or flight levels), the time window in UTC, the kind and remarks; file, and see the conflicts
// the server reports.
import L from "./leaflet-global.js";
import { post, put } from "./api.js";
import { band, conflictTitle, esc, minutes, utc } from "./format.js";
import { layerOutline, outlineLayers } from "./shapes.js";

const KINDS = ["air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"];
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
    const start = new Date(Date.now() + 2 * 3600e3);
    start.setUTCMinutes(0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600e3);
    this.el.innerHTML = `
      <form id="file-form" class="file-form" novalidate>
        <fieldset class="shape">
          <legend>Outline</legend>
          <button type="button" data-draw="Polygon">Draw polygon</button>
          <button type="button" data-draw="Circle">Draw circle</button>
          <button type="button" data-draw="Line">Draw corridor</button>
          <label class="inline">half-width <input name="half_width_m" type="number" min="100" step="100" value="5000"> m</label>
          <p id="file-shape" class="muted">Nothing drawn yet.</p>
        </fieldset>
        <label>Title <input name="title" required maxlength="200" value=""></label>
        <label>Kind <select name="kind">${KINDS.map((k) => `<option>${k}</option>`).join("")}</select></label>
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
        <div class="row">
          <button type="submit" id="file-submit">File notice</button>
          <button type="button" id="file-clear">Clear</button>
        </div>
        <p id="file-error" class="error" role="alert"></p>
      </form>
      <section id="file-result" class="file-result" aria-live="polite"></section>`;
    this.form = this.el.querySelector("#file-form");
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
    this.el.querySelector("#file-clear").addEventListener("click", () => this.clear());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.file();
    });
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
    if (!this.form.title.value) this.form.title.focus();
  }

  /** Load one of the operator's own notices into the form, to amend it. */
  amend(notice) {
    this.clear();
    this.amending = notice;
    const v = notice.volumes[0];
    const f = this.form;
    f.title.value = notice.title;
    f.kind.value = notice.kind;
    f.remarks.value = notice.remarks;
    f.unit.value = "m";
    f.lower.value = String(v.altitude.lower_m);
    f.upper.value = String(v.altitude.upper_m);
    f.start.value = inputUtc(new Date(v.time.start));
    f.end.value = inputUtc(new Date(v.time.end));
    this.outline = v.outline;
    if (v.outline.type !== "Corridor") {
      const [layer] = outlineLayers(v.outline, { color: "#1565c0", dashArray: "4 4" });
      layer.addTo(this.app.map.map);
      this.app.map.onDrawn = (l) => this.drawn(l);
      this.app.map._drawn(layer);
    }
    this.app.map.focus(v.outline);
    this.el.querySelector("#file-shape").textContent = "Drag the corners to change the outline, or draw a new one.";
    this.el.querySelector("#file-submit").textContent = `Amend v${notice.version}`;
    this.app.showTab("file");
  }

  clear() {
    this.app.map.clearDrawn();
    this.amending = null;
    this.el.querySelector("#file-submit").textContent = "File notice";
    this.outline = null;
    this.el.querySelector("#file-shape").textContent = "Nothing drawn yet.";
    delete this.el.querySelector("#file-shape").dataset.drawn;
  }

  body() {
    const f = this.form;
    const k = f.unit.value === "fl" ? 100 * FT_M : 1;
    if (this.outline && this.outline.type === "Corridor") this.outline.half_width_m = Number(f.half_width_m.value);
    return {
      kind: f.kind.value,
      title: f.title.value.trim(),
      remarks: f.remarks.value,
      volumes: [
        {
          outline: this.outline,
          altitude: { lower_m: Number(f.lower.value) * k, upper_m: Number(f.upper.value) * k },
          time: { start: parseUtc(f.start.value), end: parseUtc(f.end.value) },
        },
      ],
    };
  }

  async file() {
    const error = this.el.querySelector("#file-error");
    error.textContent = "";
    if (!this.outline) {
      error.textContent = "Draw the outline on the map first.";
      return;
    }
    if (!parseUtc(this.form.start.value) || !parseUtc(this.form.end.value)) {
      error.textContent = "Times are UTC as YYYY-MM-DD HH:MM.";
      return;
    }
    if (!this.form.title.value.trim()) {
      error.textContent = "Give the notice a title.";
      return;
    }
    const button = this.el.querySelector("#file-submit");
    button.disabled = true;
    try {
      const filed = this.amending
        ? await put(`/v1/notices/${encodeURIComponent(this.amending.id)}`, this.body(), this.amending.version)
        : await post("/v1/notices", this.body());
      this.showResult(filed);
      this.clear();
      this.app.refresh(["notices", "conflicts", "pending"]);
    } catch (err) {
      error.textContent =
        err.status === 412 ? "Not amended: the notice changed meanwhile; open it again from Objects." : `Not filed: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }

  showResult(filed) {
    const s = this.app.state;
    s.titles.set(filed.id, filed.title);
    const conflicts = filed.conflicts.length
      ? `<ul class="conflicts">${filed.conflicts
          .map(
            (c) => `<li data-conflict="${esc(c.id)}"><strong>${esc(conflictTitle(c, s))}</strong><br>${band(c.altitude)} · ${utc(c.window.start)} → ${utc(c.window.end)} · ${Math.round(c.distance_m)} m apart</li>`,
          )
          .join("")}</ul>`
      : `<p>No conflict.</p>`;
    this.el.querySelector("#file-result").innerHTML = `
      <h3>${filed.version > 1 ? "Amended" : "Filed"} <code>${esc(filed.id)}</code> v${filed.version}</h3>
      <p>Lead time ${minutes(filed.lead_time_s)}${filed.late ? ` — <span class="late">late for ${esc(filed.late_for.join(", "))}</span>` : ""}.</p>
      <p id="file-conflict-count" data-count="${filed.conflicts.length}">${filed.conflicts.length} conflict(s) reported by the server:</p>
      ${conflicts}`;
  }
}
