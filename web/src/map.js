// The map: the Natural Earth basemap, then one toggleable layer per kind of object, drawn from
// the console's state (the live tracks and tactical conflicts are drawn by live.js); drawing
// outlines for filing goes through the geoman plugin.
import L from "./leaflet-global.js";
import "@geoman-io/leaflet-geoman-free";
import { outlineLayers, toLatLng } from "./shapes.js";
import { describeNotice, describeZone, describeConflict, esc } from "./format.js";

export const ZONE_COLOURS = { protected: "#1e9e4a", red_line: "#d21e1e", restricted: "#8a3ffc" };
const OWN_COLOUR = "#1565c0";
const OTHER_COLOUR = "#ef6c00";

export class ConsoleMap {
  constructor(element, onSelect) {
    this.onSelect = onSelect;
    this.map = L.map(element, {
      center: [34.0, 35.5],
      zoom: 6,
      minZoom: 3,
      maxZoom: 13,
      preferCanvas: false,
      attributionControl: true,
      worldCopyJump: false,
    });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Natural Earth 1:50m (world-atlas)");
    this.basemap = L.layerGroup().addTo(this.map);
    this.layers = {
      own: L.layerGroup().addTo(this.map),
      others: L.layerGroup().addTo(this.map),
      zones: L.layerGroup().addTo(this.map),
      conflicts: L.layerGroup().addTo(this.map),
      tracks: L.layerGroup().addTo(this.map),
      tactical: L.layerGroup().addTo(this.map),
    };
    this.preview = L.layerGroup().addTo(this.map); // the conflicts a filing would have
    this.control = L.control
      .layers(
        null,
        {
          "Own notices": this.layers.own,
          "Counterparties' notices": this.layers.others,
          Zones: this.layers.zones,
          "Strategic conflicts": this.layers.conflicts,
          "Live tracks": this.layers.tracks,
          "Tactical conflicts": this.layers.tactical,
        },
        { collapsed: false, position: "topright" },
      )
      .addTo(this.map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(this.map);
    this.at = null;
    this._timeControl().addTo(this.map);
    this.map.pm.setGlobalOptions({ continueDrawing: false, templineStyle: { color: OWN_COLOUR } });
    this.map.pm.setLang("en");
    this.drawn = null;
    this.map.on("pm:create", (e) => this._drawn(e.layer));
    this.ready = this._loadBasemap();
  }

  /** The time slider: every object, or only those active at a moment of the next 24 hours. */
  _timeControl() {
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "leaflet-bar time-slider");
      box.innerHTML = `<label>Time <input id="time-slider" type="range" min="-1" max="96" step="1" value="-1" aria-label="time of the next 24 hours"></label> <output id="time-label">all times</output>`;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      const input = box.querySelector("input");
      input.addEventListener("input", () => {
        const steps = Number(input.value);
        this.at = steps < 0 ? null : Date.now() + steps * 15 * 60e3;
        box.querySelector("output").textContent =
          this.at === null ? "all times" : `+${Math.floor(steps / 4)}:${String((steps % 4) * 15).padStart(2, "0")} · ${new Date(this.at).toISOString().slice(11, 16)}Z`;
        if (this.state) this.render(this.state);
      });
      return box;
    };
    return control;
  }

  /** True when a time window [start, end) holds the slider's moment (or the slider shows all). */
  _shown(window) {
    if (this.at === null) return true;
    const start = Date.parse(window.start);
    const end = window.end ? Date.parse(window.end) : Infinity;
    return start <= this.at && this.at < end;
  }

  async _loadBasemap() {
    const answer = await fetch("basemap.json");
    const data = await answer.json();
    L.geoJSON(data.land, {
      interactive: false,
      style: { color: "#b9b3a3", weight: 0.6, fillColor: "#f3efe4", fillOpacity: 1 },
    }).addTo(this.basemap);
    L.geoJSON(data.borders, { interactive: false, style: { color: "#8c8270", weight: 1, dashArray: "4 3" } }).addTo(
      this.basemap,
    );
    document.body.dataset.basemap = "ready";
  }

  /** Start drawing a shape: "Polygon" or "Circle". */
  draw(shape, onDrawn) {
    this.clearDrawn();
    this.onDrawn = onDrawn;
    this.map.pm.enableDraw(shape, { pathOptions: { color: OWN_COLOUR, dashArray: "4 4" } });
  }

  _drawn(layer) {
    this.drawn = layer;
    layer.pm.enable({ allowSelfIntersection: false });
    if (this.onDrawn) this.onDrawn(layer);
    layer.on("pm:edit", () => this.onDrawn && this.onDrawn(layer));
  }

  clearDrawn() {
    this.map.pm.disableDraw();
    if (this.drawn) this.drawn.remove();
    this.drawn = null;
  }

  _add(group, outline, style, popup, select) {
    for (const layer of outlineLayers(outline, style)) {
      layer.bindPopup(popup, { maxWidth: 320 });
      layer.on("click", select);
      layer.addTo(group);
    }
  }

  /** Redraw every object layer from the state (me, notices, zones, conflicts). */
  render(state) {
    const { me } = state;
    this.state = state;
    for (const key of ["own", "others", "zones", "conflicts"]) this.layers[key].clearLayers();
    for (const notice of state.notices) {
      if (notice.status === "cancelled" || notice.status === "ended") continue;
      const own = notice.party === me.party;
      const colour = own ? OWN_COLOUR : OTHER_COLOUR;
      const style = { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.12, className: `notice notice-${own ? "own" : "other"}` };
      for (const volume of notice.volumes.filter((v) => this._shown(v.time)))
        this._add(own ? this.layers.own : this.layers.others, volume.outline, style, describeNotice(notice, state), () =>
          this.onSelect({ type: "notice", id: notice.id }),
        );
    }
    for (const zone of state.zones) {
      if (zone.status !== "active" || !this._shown(zone.volume.time)) continue;
      const colour = ZONE_COLOURS[zone.kind] || "#555";
      const style = { color: colour, weight: 2, dashArray: "8 4", fillColor: colour, fillOpacity: 0.1, className: `zone zone-${zone.kind}` };
      this._add(this.layers.zones, zone.volume.outline, style, describeZone(zone, state), () => this.onSelect({ type: "zone", id: zone.id }));
    }
    for (const conflict of state.conflicts) {
      if (conflict.state !== "open" || !conflict.region || !conflict.region.type) continue;
      if (!this._shown(conflict.window)) continue;
      L.geoJSON(conflict.region, {
        style: { color: "#d21e1e", weight: 2, fillColor: "url(#hatch)", fillOpacity: 1, className: "conflict-region" },
        onEachFeature: (_f, layer) => {
          layer.bindPopup(describeConflict(conflict, state), { maxWidth: 320 });
          layer.on("click", () => this.onSelect({ type: "conflict", id: conflict.id }));
        },
      }).addTo(this.layers.conflicts);
    }
    if (!this.fitted) {
      const groups = [this.layers.own, this.layers.others, this.layers.zones];
      const bounds = L.latLngBounds([]);
      for (const g of groups) for (const layer of g.getLayers()) if (layer.getBounds) bounds.extend(layer.getBounds());
      if (bounds.isValid()) {
        this.map.fitBounds(bounds.pad(0.15), { maxZoom: 8, animate: false });
        this.fitted = true;
      }
    }
    document.body.dataset.mapObjects = String(
      this.layers.own.getLayers().length + this.layers.others.getLayers().length + this.layers.zones.getLayers().length,
    );
    document.body.dataset.mapConflicts = String(this.layers.conflicts.getLayers().length);
  }

  /** Show the conflict regions the server's check of a draft reported (dashed, hatched). */
  showPreview(conflicts) {
    this.preview.clearLayers();
    for (const conflict of conflicts || []) {
      if (!conflict.region || !conflict.region.type) continue;
      L.geoJSON(conflict.region, {
        interactive: false,
        style: { color: "#d21e1e", weight: 2, dashArray: "3 4", fillColor: "url(#hatch)", fillOpacity: 0.8, className: "conflict-preview" },
      }).addTo(this.preview);
    }
  }

  /** Pan to an object's first outline. */
  focus(outline) {
    let bounds;
    if (outline.type === "Circle") bounds = L.latLng(toLatLng(outline.center)).toBounds(outline.radius_m * 2);
    else if (outline.type === "Polygon") bounds = L.latLngBounds(outline.coordinates[0].map(toLatLng));
    else bounds = L.latLngBounds(outline.path.map(toLatLng));
    if (bounds.isValid()) this.map.fitBounds(bounds.pad(0.6), { maxZoom: 9, animate: false });
  }
}

export { esc };
