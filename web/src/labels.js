// Map labels that never overlap: after every zoom, move, resize or change of the drawn objects,
// one pass measures every label element on the map (class ``map-label``) in screen space and
// places them greedily by priority — the selected object's first, then conflicts and alerts
// (CPA tags, the tracks in a tactical conflict), own tracks, others' tracks, zone kinds, then
// place names. A label tries a few positions around its anchor and takes the first whose box
// meets no label placed before it and no aircraft symbol; when none is free it is hidden.
// Hidden track labels collapse into count badges ("+3"), placed by the same rule; a badge's
// click zooms in on its tracks, and a track's label shows while the pointer is on it.
import L from "./leaflet-global.js";
import { esc } from "./format.js";

/** Priority tiers, placed in this order (lower first). */
export const TIER = { selected: 0, alert: 1, own: 2, other: 3, zone: 4, airfield: 5, town: 6 };
/** Space kept between two labels, pixels. */
const GAP_PX = 2;
/** Hidden track labels within this distance of a badge join it, pixels. */
const BADGE_RADIUS_PX = 70;
/** Anchors further than this outside the map are not labelled, pixels. */
const MARGIN_PX = 40;

/** Offsets to try, pixels, as functions of the label's width and height: beside the anchor
 * (the label's CSS puts it to the right), then to the left, above and below. */
const CANDIDATES = {
  beside: (w, h) => [[0, 0], [0, -h], [0, h], [-(w + 26), 0], [-(w + 26), -h], [-(w + 26), h]],
  centred: (w, h) => [[0, 0], [0, -(h + 4)], [0, h + 4], [w / 2 + 14, 0], [-(w / 2 + 14), 0]],
  only: () => [[0, 0]],
};

const intersects = (a, b) =>
  a.left < b.right + GAP_PX && b.left < a.right + GAP_PX && a.top < b.bottom + GAP_PX && b.top < a.bottom + GAP_PX;

const shifted = (box, [dx, dy]) => ({ left: box.left + dx, right: box.right + dx, top: box.top + dy, bottom: box.bottom + dy });

/** A label's box without the offset the last pass gave it. */
function naturalBox(el) {
  const r = el.getBoundingClientRect();
  const [dx, dy] = el._labelOffset || [0, 0];
  return { left: r.left - dx, right: r.right - dx, top: r.top - dy, bottom: r.bottom - dy, width: r.width, height: r.height };
}

function setOffset(el, offset) {
  const [dx, dy] = offset;
  const [ox, oy] = el._labelOffset || [0, 0];
  if (dx === ox && dy === oy) return;
  el._labelOffset = [dx, dy];
  el.style.translate = dx || dy ? `${dx}px ${dy}px` : "";
}

export class LabelPlacer {
  /** @param {L.Map} map the console's map. */
  constructor(map) {
    this.map = map;
    this.selected = "";
    this.badges = L.layerGroup().addTo(map);
    this.pending = false;
    this.shown = new Set();
    for (const name of ["zoomend", "moveend", "resize", "overlayadd", "overlayremove"]) map.on(name, () => this.schedule());
    map.on("zoomstart", () => this.badges.clearLayers());
  }

  /** Place the labels at the next animation frame (several calls in one frame cost one pass). */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.place();
    });
  }

  /** The selected object's reference (``type|id``; a track's id is ``party/id``). */
  select(key) {
    this.selected = key || "";
    this.schedule();
  }

  /** One pass: measure, order, place, hide, then collapse the hidden track labels. */
  place() {
    const container = this.map.getContainer();
    const frame = container.getBoundingClientRect();
    const labels = [...container.querySelectorAll(".map-label")].filter((el) => !el.closest(".label-badge"));
    const symbols = [...container.querySelectorAll(".track-icon")];
    // read everything first (one layout), then write
    const measured = labels.map((el) => ({ el, box: naturalBox(el), anchor: el.closest(".leaflet-marker-icon") || el }));
    const obstacles = symbols.map((el) => ({ key: el.dataset.track, box: el.getBoundingClientRect() }));
    // the map's controls (legend, buttons, time slider, attribution) cover what is under them
    const controls = [...container.querySelectorAll(".leaflet-control")].map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0);
    const inside = (box) =>
      box.right > frame.left - MARGIN_PX && box.left < frame.right + MARGIN_PX && box.bottom > frame.top - MARGIN_PX && box.top < frame.bottom + MARGIN_PX;
    const rank = (item) => {
      const d = item.el.dataset;
      const tier = d.ref && d.ref === this.selected ? TIER.selected : Number(d.tier ?? TIER.town);
      return [tier, this.shown.has(item.el) ? 0 : 1, Number(d.order || 0)];
    };
    const order = measured
      .filter((item) => item.box.width > 0 && inside(item.box))
      .map((item) => ({ ...item, rank: rank(item) }))
      .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
    const placed = [...controls];
    const shown = new Set();
    const hiddenTracks = [];
    for (const item of order) {
      const { el, box } = item;
      const own = el.closest(".track-icon")?.dataset.track;
      // aircraft symbols are obstacles for every label but the CPA tags, which sit between two
      const blockers = el.dataset.kind === "cpa" ? [] : obstacles.filter((o) => o.key !== own);
      const offsets = (CANDIDATES[el.dataset.place] || CANDIDATES.beside)(box.width, box.height);
      const free = offsets.find((offset) => {
        const moved = shifted(box, offset);
        const edge = moved.left >= frame.left && moved.right <= frame.right && moved.top >= frame.top && moved.bottom <= frame.bottom;
        return edge && !placed.some((p) => intersects(p, moved)) && !blockers.some((o) => intersects(o.box, moved));
      });
      // a selected object's label and an alert's tag show even at the map's edge
      const forced = !free && item.rank[0] <= TIER.alert && el.dataset.kind === "cpa" && !placed.some((p) => intersects(p, box));
      if (free || forced) {
        setOffset(el, free || [0, 0]);
        placed.push(shifted(box, free || [0, 0]));
        el.classList.remove("label-off");
        shown.add(el);
      } else {
        setOffset(el, [0, 0]);
        el.classList.add("label-off");
        if (el.dataset.kind === "track" && inside(item.anchor.getBoundingClientRect())) hiddenTracks.push(item);
      }
    }
    // hidden labels outside the pass (off the map) stay hidden too
    for (const item of measured) if (!shown.has(item.el)) item.el.classList.add("label-off");
    this.shown = shown;
    this._badges(hiddenTracks, placed, obstacles, frame);
    container.dataset.labelsShown = String(shown.size);
    container.dataset.labelsHidden = String(measured.length - shown.size);
  }

  /** Count badges for the hidden track labels: each joins the nearest badge within reach, and
   * a badge goes where its box is free (beside the first of its tracks, or around it). */
  _badges(hidden, placed, obstacles, frame) {
    this.badges.clearLayers();
    const groups = [];
    for (const item of hidden) {
      const r = item.anchor.getBoundingClientRect();
      const x = (r.left + r.right) / 2;
      const y = (r.top + r.bottom) / 2;
      const near = groups.find((g) => Math.hypot(g.x - x, g.y - y) < BADGE_RADIUS_PX);
      if (near) near.members.push(item);
      else groups.push({ x, y, members: [item] });
    }
    const w = 30;
    const h = 18;
    let shownBadges = 0;
    for (const group of groups) {
      const base = { left: group.x + 12, right: group.x + 12 + w, top: group.y - h / 2, bottom: group.y + h / 2 };
      const offsets = [[0, 0], [0, -h - 2], [0, h + 2], [-(w + 24), 0], [-(w + 24), -h - 2], [-(w + 24), h + 2]];
      const free = offsets.find((offset) => {
        const moved = shifted(base, offset);
        const edge = moved.left >= frame.left && moved.right <= frame.right && moved.top >= frame.top && moved.bottom <= frame.bottom;
        return edge && !placed.some((p) => intersects(p, moved)) && !obstacles.some((o) => intersects(o.box, moved));
      });
      if (!free) continue;
      const box = shifted(base, free);
      placed.push(box);
      shownBadges += 1;
      const names = group.members.map((m) => m.el.textContent).join(", ");
      const at = this.map.containerPointToLatLng([box.left - frame.left, box.top - frame.top]);
      const badge = L.marker(at, {
        icon: L.divIcon({
          className: "label-badge",
          html: `<span class="map-label badge-label" data-kind="badge" title="${esc(names)}">+${group.members.length}</span>`,
          iconSize: [w, h],
          iconAnchor: [0, 0],
        }),
        keyboard: false,
        zIndexOffset: 900,
      });
      const points = group.members.map((m) => {
        const r = m.anchor.getBoundingClientRect();
        return this.map.containerPointToLatLng([(r.left + r.right) / 2 - frame.left, (r.top + r.bottom) / 2 - frame.top]);
      });
      badge.on("click", () => {
        const bounds = L.latLngBounds(points);
        this.map.fitBounds(bounds.pad(0.5), { maxZoom: Math.min(this.map.getMaxZoom(), this.map.getZoom() + 3), animate: false });
      });
      badge.addTo(this.badges);
    }
    this.map.getContainer().dataset.labelBadges = String(shownBadges);
  }
}
