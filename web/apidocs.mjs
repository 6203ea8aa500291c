// The API reference pages' assets: Swagger UI (swagger-ui-dist) and Redoc (its standalone
// bundle), copied from node_modules into OUT/apidocs/ with the two small scripts that start
// them on this server's /openapi.json. Nothing is fetched at run time: sharedsky serves
// /docs and /redoc (src/sharedsky/api/apidocs.py) from these files alone.
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Files copied as they ship: [package folder, file]. */
const COPIED = [
  ["swagger-ui-dist", "swagger-ui-bundle.js"],
  ["swagger-ui-dist", "swagger-ui.css"],
  ["swagger-ui-dist", "LICENSE"],
];

// Redoc's sidebar shows Redocly's logo from its CDN, with no option to turn it off: the copy
// served here names no image instead (the element's onError then drops it), so the page makes
// no request elsewhere. The build fails if the address is gone, so an upgrade is looked at.
const REDOC_LOGO = '"https://cdn.redoc.ly/redoc/logo-mini.svg"';

async function redocBundle(target) {
  const source = join(here, "node_modules", "redoc", "bundles", "redoc.standalone.js");
  const text = await readFile(source, "utf-8");
  const uses = text.split(REDOC_LOGO).length - 1;
  if (uses !== 1) throw new Error(`redoc.standalone.js names ${REDOC_LOGO} ${uses} times, not once`);
  await writeFile(join(target, "redoc.standalone.js"), text.replace(REDOC_LOGO, '""'));
}

// Swagger UI on this server's document; validatorUrl null: no badge fetched from
// validator.swagger.io. The token typed under "Authorize" stays in the page (not stored).
const SWAGGER_INIT = `window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
  });
});
`;

// Redoc on this server's document, with no request for fonts or anything else elsewhere.
const REDOC_INIT = `window.addEventListener("load", () => {
  Redoc.init("/openapi.json", { disableSearch: false, hideDownloadButton: false }, document.getElementById("redoc"));
});
`;

export async function buildApiDocs(out) {
  const target = join(out, "apidocs");
  await mkdir(target, { recursive: true });
  for (const [folder, file] of COPIED) {
    const name = folder === "swagger-ui-dist" && file === "LICENSE" ? "swagger-ui-LICENSE" : file;
    await copyFile(join(here, "node_modules", folder, file), join(target, name));
  }
  await redocBundle(target);
  await copyFile(join(here, "node_modules", "redoc", "LICENSE"), join(target, "redoc-LICENSE"));
  await writeFile(join(target, "swagger-init.js"), SWAGGER_INIT);
  await writeFile(join(target, "redoc-init.js"), REDOC_INIT);
}
