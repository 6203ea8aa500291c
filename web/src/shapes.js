// Wire outlines (GeoJSON-like, [lon, lat]) ↔ Leaflet layers.
import L from "./leaflet-global.js";

const EARTH_M = 6371008.8;

export const toLatLng = ([lon, lat]) => [lat, lon];

/** The points of a corridor's outline: each segment widened by half_width_m, round ends kept
 * by drawing a circle at each vertex (a picture, not the server's geodesic buffer). */
function corridorLayers(outline, style) {
  const parts = [];
  const path = outline.path;
  const w = outline.half_width_m;
  for (let i = 0; i + 1 < path.length; i += 1) {
    const [lon0, lat0] = path[i];
    const [lon1, lat1] = path[i + 1];
    const kx = Math.cos(((lat0 + lat1) / 2) * (Math.PI / 180));
    const dx = (lon1 - lon0) * kx;
    const dy = lat1 - lat0;
    const len = Math.hypot(dx, dy) || 1;
    const offDeg = (w / EARTH_M) * (180 / Math.PI);
    const nx = (-dy / len) * offDeg;
    const ny = (dx / len) * offDeg;
    const ring = [
      [lat0 + ny, lon0 + nx / kx],
      [lat1 + ny, lon1 + nx / kx],
      [lat1 - ny, lon1 - nx / kx],
      [lat0 - ny, lon0 - nx / kx],
    ];
    parts.push(L.polygon(ring, { ...style, stroke: false }));
  }
  for (const point of path) parts.push(L.circle(toLatLng(point), { ...style, radius: w, stroke: false }));
  parts.push(L.polyline(path.map(toLatLng), { ...style, fill: false, dashArray: "6 4" }));
  return parts;
}

/** Leaflet layers drawing one wire outline. */
export function outlineLayers(outline, style) {
  if (outline.type === "Circle") return [L.circle(toLatLng(outline.center), { ...style, radius: outline.radius_m })];
  if (outline.type === "Polygon") return [L.polygon(outline.coordinates.map((ring) => ring.map(toLatLng)), style)];
  if (outline.type === "Corridor") return corridorLayers(outline, style);
  return [];
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

/** The wire outline of a layer drawn with geoman: a Circle or a Polygon (closed ring). */
export function layerOutline(layer) {
  if (layer instanceof L.Circle) {
    const c = layer.getLatLng();
    return { type: "Circle", center: [round6(c.lng), round6(c.lat)], radius_m: Math.round(layer.getRadius()) };
  }
  const rings = layer.getLatLngs();
  const outer = Array.isArray(rings[0]) ? rings[0] : rings;
  const ring = outer.map((p) => [round6(p.lng), round6(p.lat)]);
  if (ring.length && (ring[0][0] !== ring.at(-1)[0] || ring[0][1] !== ring.at(-1)[1])) ring.push(ring[0]);
  return { type: "Polygon", coordinates: [ring] };
}
