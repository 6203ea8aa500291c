// Builds the console into src/sharedsky/api/console_assets/: one JS bundle, one CSS bundle,
// the HTML page and the basemap (Natural Earth 50m from world-atlas, as GeoJSON, cut to the
// region around the eastern Mediterranean so the page loads quickly). Nothing is fetched
// from outside the machine at run time: every byte the page needs is written here.
import { mkdir, readFile, rm, writeFile, copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { feature, mesh } from "topojson-client";
import { buildApiDocs } from "./apidocs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "sharedsky", "api", "console_assets");

/** Longitude/latitude box kept from the world basemap, degrees: [west, south, east, north]. */
const REGION = [5, 15, 65, 50];

function ringsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  if (geometry.type === "LineString") return [geometry.coordinates];
  if (geometry.type === "MultiLineString") return geometry.coordinates;
  return [];
}

/** Coordinates rounded to 0.001° (about 100 m, finer than the 50m data): a smaller file. */
const round = (value) =>
  Array.isArray(value) ? value.map(round) : Math.round(value * 1000) / 1000;

function touchesRegion(geometry) {
  const [w, s, e, n] = REGION;
  return ringsOf(geometry).some((ring) =>
    ring.some(([lon, lat]) => lon >= w && lon <= e && lat >= s && lat <= n),
  );
}

async function basemap() {
  const source = join(here, "node_modules", "world-atlas", "countries-50m.json");
  const topology = JSON.parse(await readFile(source, "utf-8"));
  const countries = feature(topology, topology.objects.countries);
  const kept = countries.features
    .filter((f) => touchesRegion(f.geometry))
    .map((f) => ({ type: "Feature", properties: { name: f.properties.name }, geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
  const borders = mesh(topology, topology.objects.countries, (a, b) => a !== b);
  const lines = borders.coordinates
    .filter((line) => touchesRegion({ type: "LineString", coordinates: line }))
    .map(round);
  return {
    source: "Natural Earth 1:50m via world-atlas 2.0.2 (public domain)",
    land: { type: "FeatureCollection", features: kept },
    borders: { type: "Feature", properties: {}, geometry: { type: "MultiLineString", coordinates: lines } },
  };
}

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, "src", "main.js"), style: join(here, "src", "style.css") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outdir: out,
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  logLevel: "warning",
  legalComments: "linked",
});
await copyFile(join(here, "src", "index.html"), join(out, "index.html"));
await writeFile(join(out, "basemap.json"), JSON.stringify(await basemap()));
await buildApiDocs(out);
await writeFile(join(out, "BUILT"), new Date().toISOString() + "\n");
console.log(`console assets written to ${out}`);
