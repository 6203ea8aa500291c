// The map: the Natural Earth basemap with the region's towns and airfields, then one
// toggleable layer per kind of object, drawn from the console's state (the live tracks and
// tactical conflicts are drawn by tracks.js and tactical.js); every party's objects in its own
// colour (from the mechanism), a legend naming each party, labels placed without overlap
// (labels.js); showing an object pans to it, highlights it and opens its popup; drawing
// outlines for filing goes through the geoman plugin.
import L from "./leaflet-global.js";
import "@geoman-io/leaflet-geoman-free";
import { outlineLayers, toLatLng } from "./shapes.js";
import { describeNotice, describeZone, describeConflict, esc, partyColour } from "./format.js";
import { LabelPlacer, TIER } from "./labels.js";
import { currentLanguage, t } from "./i18n.js";

/** The edge of a conflict with a priority notice: style.css's --priority-status. */
const PRIORITY_COLOUR = "#4a148c";

/** The drawing plugin's tooltips and actions in the operator's language: the console's own
 * words (the plugin ships no Hebrew or Arabic, and its Turkish and Russian are its own). */
function drawingWords() {
  return {
    tooltips: {
      firstVertex: t("draw.first_vertex"),
      continueLine: t("draw.continue_line"),
      finishLine: t("draw.finish_line"),
      finishPoly: t("draw.finish_polygon"),
      startCircle: t("draw.start_circle"),
      finishCircle: t("draw.finish_circle"),
    },
    actions: { finish: t("draw.finish"), cancel: t("draw.cancel"), removeLastVertex: t("draw.remove_last_vertex") },
  };
}

/** A zone's kind is told by its line (its colour is its party's): dotted for protected,
 * dash-dot and heavier for a red line, dashed for restricted. */
export const ZONE_LINES = {
  protected: { dashArray: "2 6", weight: 3, lineCap: "round" },
  red_line: { dashArray: "14 5 3 5", weight: 3.5 },
  restricted: { dashArray: "9 5", weight: 2 },
};
const DRAFT_COLOUR = "#1d232b";
/** The view before anything is known: the eastern Mediterranean. */
const START = { center: [34.0, 35.5], zoom: 6 };
/** The closest zoom a fitted view goes to (a single small object stays in its surroundings). */
const FIT_MAX_ZOOM = 9;

/** The smallest population a town needs to be named at each zoom (capitals always are). */
function townThreshold(zoom) {
  if (zoom <= 5) return 1_000_000;
  if (zoom <= 6) return 250_000;
  if (zoom <= 7) return 100_000;
  return 0;
}

/** An airfield's name as the map shows it: without "International Airport", "Airport" or
 * "Airfield"; "Air Base" as "AB". */
export function airfieldName(name) {
  return name
    .replace(/\s*\/.*$/, "")
    .replace(/ (International |Domestic )?Airport$| Airfield$/, "")
    .replace(/ Air Base$/, " AB");
}

/** The bounds of a wire outline, or null. */
export function outlineBounds(outline) {
  if (!outline) return null;
  if (outline.type === "Circle") return L.latLng(toLatLng(outline.center)).toBounds(outline.radius_m * 2);
  if (outline.type === "Polygon") return L.latLngBounds(outline.coordinates[0].map(toLatLng));
  if (outline.type === "Corridor") return L.latLngBounds(outline.path.map(toLatLng)).pad(0.05);
  return null;
}

/** The mechanism's area of responsibility as bounds: a bbox [west, south, east, north] or a
 * GeoJSON polygon, when the mechanism declares one; else null. */
export function areaBounds(area) {
  if (!area) return null;
  if (Array.isArray(area) && area.length === 4) return L.latLngBounds([area[1], area[0]], [area[3], area[2]]);
  if (area.type === "Polygon") return L.latLngBounds(area.coordinates[0].map(toLatLng));
  if (area.bbox) return areaBounds(area.bbox);
  return null;
}

const UTC_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/** Whether the instant ``at`` (ms) falls in an occurrence of the schedule ``plan`` (R-SCHED-1):
 * on a listed weekday between its dates, from its daily start for its daily length (a window
 * that ends before it starts ends the next day, so the day before is looked at too). */
export function inSchedule(plan, at) {
  const minutes = (text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
  const length = (minutes(plan.to) - minutes(plan.from) + 1440) % 1440;
  for (const back of [0, 1]) {
    const day = new Date(at - back * 86400e3);
    const date = day.toISOString().slice(0, 10);
    if (date < plan.first_date || date > plan.last_date || !plan.weekdays.includes(UTC_DAYS[day.getUTCDay()])) continue;
    const start = Date.parse(`${date}T${plan.from}:00Z`);
    if (start <= at && at < start + length * 60e3) return true;
  }
  return false;
}

export class ConsoleMap {
  constructor(element, onSelect) {
    this.onSelect = onSelect;
    this.map = L.map(element, {
      center: START.center,
      zoom: START.zoom,
      minZoom: 3,
      maxZoom: 13,
      zoomSnap: 0.25, // a fitted view fills the map (whole zoom steps halve it)
      preferCanvas: false,
      attributionControl: true,
      worldCopyJump: false,
    });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Natural Earth 1:50m (world-atlas) · towns GeoNames · airfields OurAirports");
    this.map.createPane("places").style.zIndex = "450"; // above the outlines, under the markers
    this.basemap = L.layerGroup().addTo(this.map);
    this.places = L.layerGroup().addTo(this.map);
    this.layers = {
      own: L.layerGroup().addTo(this.map),
      others: L.layerGroup().addTo(this.map),
      zones: L.layerGroup().addTo(this.map),
      conflicts: L.layerGroup().addTo(this.map),
      tracks: L.layerGroup().addTo(this.map),
      tactical: L.layerGroup().addTo(this.map),
    };
    this.highlight = L.layerGroup().addTo(this.map);
    this.preview = L.layerGroup().addTo(this.map); // the conflicts a filing would have
    this.control = L.control
      .layers(
        null,
        {
          [t("layer.places")]: this.places,
          [t("layer.own")]: this.layers.own,
          [t("layer.others")]: this.layers.others,
          [t("layer.zones")]: this.layers.zones,
          [t("layer.conflicts")]: this.layers.conflicts,
          [t("layer.tracks")]: this.layers.tracks,
          [t("layer.tactical")]: this.layers.tactical,
        },
        { collapsed: true, position: "topright" },
      )
      .addTo(this.map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(this.map);
    this.legend = null;
    this.at = null;
    this._timeControl().addTo(this.map);
    this.map.pm.setGlobalOptions({ continueDrawing: false, templineStyle: { color: DRAFT_COLOUR } });
    this.translateDrawing();
    this.drawn = null;
    this.map.on("pm:create", (e) => this._drawn(e.layer));
    /** Drawn layers by ``type|id`` (notices, zones, strategic conflicts), for showing one. */
    this.index = new Map();
    this.selected = null;
    this.live = null; // the live picture (tracks.js, tactical.js), set by the console
    this.labels = new LabelPlacer(this.map);
    this.placeData = null;
    this.map.on("moveend zoomend", () => this._drawPlaces());
    this.ready = this._loadBasemap();
  }

  /** The time slider: every object, or only those active at a moment of the next 24 hours. */
  _timeControl() {
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "leaflet-bar time-slider");
      box.innerHTML = `<label>${esc(t("time.slider"))} <input id="time-slider" type="range" min="-1" max="96" step="1" value="-1" aria-label="${esc(t("time.slider_label"))}"></label> <output id="time-label">${esc(t("time.all"))}</output>`;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      const input = box.querySelector("input");
      input.addEventListener("input", () => {
        const steps = Number(input.value);
        this.at = steps < 0 ? null : Date.now() + steps * 15 * 60e3;
        box.querySelector("output").textContent =
          this.at === null ? t("time.all") : `+${Math.floor(steps / 4)}:${String((steps % 4) * 15).padStart(2, "0")} · ${new Date(this.at).toISOString().slice(11, 16)}Z`;
        if (this.state) this.render(this.state);
      });
      return box;
    };
    return control;
  }

  /** The legend: each party in its colour (the operator's own marked; a click opens its comms
   * card in the Parties tab), the zone kinds' lines, the conflicts' marks. Built once the
   * mechanism is known. */
  _legend(state) {
    if (this.legend) return;
    const control = L.control({ position: "bottomleft" });
    const parties = [...state.mechanism.parties, state.mechanism.host];
    const line = (dash, width, colour = "#3b4450") =>
      `<svg width="30" height="10" aria-hidden="true"><line x1="1" y1="5" x2="29" y2="5" stroke="${colour}" stroke-width="${width}" stroke-dasharray="${dash}" stroke-linecap="${dash === "2 6" ? "round" : "butt"}"/></svg>`;
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "leaflet-bar map-legend");
      box.id = "map-legend";
      box.innerHTML = `<div class="legend-head">${esc(t("legend.parties"))}</div>${parties
        .map(
          (p) =>
            `<div class="legend-row legend-party" data-party="${esc(p.id)}" role="button" tabindex="0" title="${esc(t("legend.show_party", { party: p.name }))}"><span class="swatch" style="background:${esc(partyColour(state, p.id))}"></span>${esc(p.name)}${p.id === state.me.party ? ` <span class="muted">${esc(t("legend.you"))}</span>` : ""}${p.id === state.mechanism.host.id ? ` <span class="muted">${esc(t("legend.host"))}</span>` : ""}</div>`,
        )
        .join("")}
        <div class="legend-head">${esc(t("legend.zones"))}</div>
        <div class="legend-row">${line(ZONE_LINES.protected.dashArray, 3)} ${esc(t("kind.protected"))} ${line(ZONE_LINES.red_line.dashArray, 3.5)} ${esc(t("kind.red_line"))}</div>
        <div class="legend-row">${line(ZONE_LINES.restricted.dashArray, 2)} ${esc(t("kind.restricted"))}</div>
        <div class="legend-head">${esc(t("legend.conflicts"))}</div>
        <div class="legend-row"><span class="hatch-swatch"></span> ${esc(t("legend.overlap"))} ${line("8 6", 3, "#f57c00")} ${esc(t("legend.to_cpa"))}</div>
        <div class="legend-row"><span class="hatch-swatch priority-status"></span> ${esc(t("legend.priority"))}</div>`;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    this.legend = control.addTo(this.map);
  }

  /** True when a time window [start, end) holds the slider's moment (or the slider shows all). */
  /** A volume at the slider's time: within its window and, recurring, within an occurrence. */
  _volumeShown(volume) {
    return this._shown(volume.time) && (this.at === null || !volume.schedule || inSchedule(volume.schedule, this.at));
  }

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
    this.placeData = data.places || null;
    this._drawPlaces();
    document.body.dataset.basemap = "ready";
  }

  /** The towns and airfields in view that this zoom names (towns by population, capitals and
   * the large airports first); their labels are placed like every other label. */
  _drawPlaces() {
    if (!this.placeData) return;
    this.places.clearLayers();
    const zoom = this.map.getZoom();
    const view = this.map.getBounds().pad(0.1);
    const min = townThreshold(zoom);
    let order = 0;
    for (const [lon, lat, name, population, rank] of this.placeData.towns) {
      if ((population < min && rank !== 0) || !view.contains([lat, lon])) continue;
      order += 1;
      L.marker([lat, lon], {
        pane: "places",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: `place town${rank === 0 ? " capital" : ""}`,
          html: `<span class="place-dot"></span><span class="map-label place-label" data-kind="town" data-place="beside" data-tier="${TIER.town}" data-order="${rank * 1e4 + order}">${esc(name)}</span>`,
          iconSize: [6, 6],
          iconAnchor: [3, 3],
        }),
      }).addTo(this.places);
    }
    if (zoom >= 6) {
      order = 0;
      for (const [lon, lat, code, name, large] of this.placeData.airfields) {
        if ((!large && zoom < 7) || !view.contains([lat, lon])) continue;
        order += 1;
        L.marker([lat, lon], {
          pane: "places",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({
            className: "place airfield",
            html: `<span class="airfield-symbol" aria-hidden="true">✈</span><span class="map-label place-label" data-kind="airfield" data-place="beside" data-tier="${TIER.airfield}" data-order="${(1 - large) * 1e4 + order}" title="${esc(`${name} (${code})`)}">${esc(airfieldName(name))}</span>`,
            iconSize: [12, 12],
            iconAnchor: [6, 6],
          }),
        }).addTo(this.places);
      }
    }
    this.labels.schedule();
  }

  /** Put the drawing plugin's words in the operator's language (after the words are loaded). */
  translateDrawing() {
    this.map.pm.setLang(currentLanguage(), drawingWords(), "en");
  }

  /** Start drawing a shape: "Polygon", "Circle" or "Line". */
  draw(shape, onDrawn) {
    this.clearDrawn();
    this.onDrawn = onDrawn;
    this.map.pm.enableDraw(shape, { pathOptions: { color: DRAFT_COLOUR, dashArray: "4 4" } });
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

  _add(group, key, outline, style, popup, select) {
    for (const layer of outlineLayers(outline, style)) {
      layer.bindPopup(popup, { maxWidth: 320 });
      layer.on("click", select);
      layer.addTo(group);
      if (!this.index.has(key)) this.index.set(key, []);
      this.index.get(key).push(layer);
    }
  }

  /** A zone's kind as a label at its centre, in its party's colour. */
  _zoneLabel(zone, colour, bounds) {
    if (!bounds || !bounds.isValid()) return;
    L.marker(bounds.getCenter(), {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "zone-label-icon",
        html: `<span class="map-label zone-label" data-kind="zone" data-place="centred" data-tier="${TIER.zone}" data-ref="zone|${esc(zone.id)}" style="color:${colour}">${esc(t(`kind.${zone.kind}`).toLocaleUpperCase(currentLanguage()))}</span>`,
        iconSize: null,
      }),
    }).addTo(this.layers.zones);
  }

  /** Redraw every object layer from the state (me, notices, zones, conflicts). */
  render(state) {
    const { me } = state;
    this.state = state;
    this._legend(state);
    for (const key of ["own", "others", "zones", "conflicts"]) this.layers[key].clearLayers();
    this.index.clear();
    for (const notice of state.notices) {
      if (notice.status !== "planned" && notice.status !== "active") continue;
      const own = notice.party === me.party;
      const colour = partyColour(state, notice.party);
      const style = { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.12, className: `notice notice-${own ? "own" : "other"} party-${notice.party}` };
      for (const volume of notice.volumes.filter((v) => this._volumeShown(v)))
        this._add(own ? this.layers.own : this.layers.others, `notice|${notice.id}`, volume.outline, style, describeNotice(notice, state), () =>
          this.onSelect({ type: "notice", id: notice.id }),
        );
    }
    for (const zone of state.zones) {
      if (zone.status !== "active" || !this._volumeShown(zone.volume)) continue;
      const colour = partyColour(state, zone.party);
      const line = ZONE_LINES[zone.kind] || ZONE_LINES.restricted;
      const style = { color: colour, ...line, fillColor: colour, fillOpacity: zone.kind === "red_line" ? 0.16 : 0.08, className: `zone zone-${zone.kind} party-${zone.party}` };
      this._add(this.layers.zones, `zone|${zone.id}`, zone.volume.outline, style, describeZone(zone, state), () => this.onSelect({ type: "zone", id: zone.id }));
      this._zoneLabel(zone, colour, outlineBounds(zone.volume.outline));
    }
    for (const conflict of state.conflicts) {
      if (conflict.state !== "open" || !conflict.region || !conflict.region.type) continue;
      if (!this._shown(conflict.window)) continue;
      // a conflict with a priority notice (medevac, sar…) is edged in the priority colour, thicker
      const priority = Boolean(conflict.priority_status);
      L.geoJSON(conflict.region, {
        style: priority
          ? { color: PRIORITY_COLOUR, weight: 4, fillColor: "url(#hatch)", fillOpacity: 1, className: "conflict-region priority-status" }
          : { color: "#d21e1e", weight: 2, fillColor: "url(#hatch)", fillOpacity: 1, className: "conflict-region" },
        onEachFeature: (_f, layer) => {
          layer.bindPopup(describeConflict(conflict, state), { maxWidth: 320 });
          layer.on("click", () => this.onSelect({ type: "conflict", id: conflict.id }));
          const key = `conflict|${conflict.id}`;
          if (!this.index.has(key)) this.index.set(key, []);
          this.index.get(key).push(layer);
        },
      }).addTo(this.layers.conflicts);
    }
    if (this.selected) this._highlight(this.selected);
    document.body.dataset.mapObjects = String(
      this.layers.own.getLayers().length + this.layers.others.getLayers().length + this.layers.zones.getLayers().length,
    );
    document.body.dataset.mapConflicts = String(this.layers.conflicts.getLayers().length);
    this.labels.schedule();
  }

  /** The first view: the mechanism's area (when it declares one) and every notice, zone and
   * live track in it; the whole picture when there is no area. Of the fits with more room
   * left for the map's controls (legend, time slider, buttons) it takes the first that leaves
   * no object under a control. Nothing to show: the region. */
  fitFirstView(state) {
    const area = areaBounds(state.mechanism.area);
    const bounds = L.latLngBounds([]);
    const points = [];
    if (area) bounds.extend(area);
    const take = (b) => {
      if (!b || !b.isValid() || (area && !area.intersects(b))) return;
      bounds.extend(b);
      points.push(b.getCenter());
    };
    for (const n of state.notices)
      if (n.status === "planned" || n.status === "active") for (const v of n.volumes) take(outlineBounds(v.outline));
    for (const z of state.zones) if (z.status === "active") take(outlineBounds(z.volume.outline));
    if (this.live)
      for (const key of this.live.tracks.tracks.keys()) {
        const at = this.live.tracks.position(key);
        if (at) take(L.latLngBounds([at, at]));
      }
    if (bounds.isValid()) {
      const frame = this.map.getContainer().getBoundingClientRect();
      const controls = [...this.map.getContainer().querySelectorAll(".leaflet-control")]
        .map((el) => el.getBoundingClientRect())
        .filter((r) => r.width > 0)
        .map((r) => ({ left: r.left - frame.left, right: r.right - frame.left, top: r.top - frame.top, bottom: r.bottom - frame.top }));
      const margin = 28;
      const top = Math.max(margin, ...controls.filter((r) => r.top < frame.height / 2).map((r) => r.bottom + 8));
      const bottom = Math.max(margin, ...controls.filter((r) => r.top >= frame.height / 2).map((r) => frame.height - r.top + 8));
      const left = Math.max(margin, ...controls.filter((r) => r.left < frame.width / 2).map((r) => r.right + 8));
      const right = Math.max(margin, ...controls.filter((r) => r.left >= frame.width / 2).map((r) => frame.width - r.left + 8));
      const fits = [
        [margin, margin, margin, margin],
        [margin, top, margin, bottom],
        [left, margin, right, margin],
        [left, top, right, bottom],
      ];
      const covered = () =>
        points.some((p) => {
          const at = this.map.latLngToContainerPoint(p);
          return controls.some((r) => at.x >= r.left && at.x <= r.right && at.y >= r.top && at.y <= r.bottom);
        });
      for (const [l, t, r, b] of fits) {
        this.map.fitBounds(bounds, { paddingTopLeft: [l, t], paddingBottomRight: [r, b], maxZoom: FIT_MAX_ZOOM, animate: false });
        if (!covered()) break;
      }
    }
    document.body.dataset.firstView = "fitted";
    this.labels.schedule();
  }

  /** Where an object is: its bounds and the layer whose popup is its panel (null: not drawn,
   * or not visible to this operator). ``ref``: {type: notice|zone|conflict|track|tactical, id}. */
  locate(ref) {
    const s = this.state;
    const drawn = this.index.get(`${ref.type}|${ref.id}`) || [];
    if (drawn.length) {
      const bounds = L.latLngBounds([]);
      for (const layer of drawn) bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng());
      return { bounds, layer: drawn[0] };
    }
    if (ref.type === "notice") {
      const n = s && s.notices.find((x) => x.id === ref.id);
      return n ? { bounds: outlineBounds(n.volumes[0]?.outline), layer: null } : null;
    }
    if (ref.type === "zone") {
      const z = s && s.zones.find((x) => x.id === ref.id);
      return z ? { bounds: outlineBounds(z.volume.outline), layer: null } : null;
    }
    if (ref.type === "conflict") {
      const c = s && s.conflicts.find((x) => x.id === ref.id);
      if (!c) return null;
      if (c.region && c.region.type) return { bounds: L.geoJSON(c.region).getBounds(), layer: null };
      return this.locate({ type: c.own.type, id: c.own.id });
    }
    if (!this.live) return null;
    if (ref.type === "track") {
      const drawnTrack = this.live.tracks.drawn.get(ref.id);
      const at = this.live.tracks.position(ref.id);
      return at ? { bounds: L.latLngBounds([at, at]), layer: drawnTrack ? drawnTrack.marker : null } : null;
    }
    if (ref.type === "tactical") {
      const where = this.live.tactical.where(ref.id);
      return where ? { bounds: L.latLngBounds(where.latLngs), layer: where.layer } : null;
    }
    return null;
  }

  /** Show an object: pan (and zoom) to it, highlight it, open its popup. Returns false when
   * it is nowhere on the map. */
  show(ref) {
    const where = this.locate(ref);
    this.select(ref);
    if (!where || !where.bounds || !where.bounds.isValid()) return false;
    const point = where.bounds.getNorthEast().equals(where.bounds.getSouthWest());
    const zoom = point
      ? Math.max(this.map.getZoom(), 8)
      : Math.min(this.map.getBoundsZoom(where.bounds.pad(0.4)), FIT_MAX_ZOOM);
    const centre = where.bounds.getCenter();
    this.map.setView(centre, zoom, { animate: false });
    if (where.layer && where.layer.openPopup) where.layer.openPopup(point ? undefined : centre);
    document.body.dataset.shown = `${ref.type}|${ref.id}`;
    return true;
  }

  /** Highlight one object (null: none) without moving the map: a halo around an outline, a
   * ring around a track, a wider alert line; its label is placed first. */
  select(ref) {
    this.selected = ref;
    this._highlight(ref);
    if (this.live) {
      this.live.tracks.select(ref && ref.type === "track" ? ref.id : "");
      this.live.tactical.select(ref && ref.type === "tactical" ? ref.id : "");
    }
    this.labels.select(ref ? `${ref.type}|${ref.id}` : "");
  }

  _highlight(ref) {
    this.highlight.clearLayers();
    if (!ref) return;
    for (const layer of this.index.get(`${ref.type}|${ref.id}`) || []) {
      const halo = { color: "#ffd400", weight: 10, opacity: 0.6, fill: false, interactive: false, className: "highlight" };
      if (layer instanceof L.Circle) L.circle(layer.getLatLng(), { ...halo, radius: layer.getRadius() }).addTo(this.highlight);
      else if (layer instanceof L.Polygon) L.polygon(layer.getLatLngs(), halo).addTo(this.highlight);
      else if (layer instanceof L.Polyline) L.polyline(layer.getLatLngs(), halo).addTo(this.highlight);
    }
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

  /** Pan to an outline (a draft's, or an object's first). */
  focus(outline) {
    const bounds = outlineBounds(outline);
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds.pad(0.6), { maxZoom: FIT_MAX_ZOOM, animate: false });
  }
}

export { esc };
