// The live picture: tracks are not stream events, so while the Tracks or the Tactical layer is
// shown the console polls GET /v1/tracks (and the open tactical conflicts, whose figures change
// with every tick of the server) once a second. Stream events about tactical conflicts reload
// the list at once, whatever the layers.
import { get } from "./api.js";
import { TrackLayer } from "./tracks.js";
import { TacticalLayer } from "./tactical.js";
import { t } from "./i18n.js";

export const POLL_MS = 1000;

export class LivePicture {
  /** @param {object} app the console (its state, map, and the panels to re-render). */
  constructor(app) {
    this.app = app;
    const map = app.map;
    const state = () => app.state;
    const select = (ref) => app.selectFromMap(ref);
    this.tracks = new TrackLayer(map.layers.tracks, state, select);
    this.tactical = new TacticalLayer(map.layers.tactical, this.tracks, state, select);
    this.busy = false;
    this.failures = 0;
    this.timer = null;
    map.map.on("overlayadd", (e) => {
      if (e.layer === map.layers.tracks || e.layer === map.layers.tactical) this.poll();
    });
    map.map.on("overlayremove", (e) => {
      if (e.layer === map.layers.tracks && !this.showing().tactical) this.tracks.clear();
    });
  }

  showing() {
    const m = this.app.map;
    return { tracks: m.map.hasLayer(m.layers.tracks), tactical: m.map.hasLayer(m.layers.tactical) };
  }

  start() {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.poll();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** One poll: the tracks (for either layer: the lines follow the tracks), then the alerts. */
  async poll() {
    const show = this.showing();
    if (this.busy || !this.app.state || (!show.tracks && !show.tactical)) return;
    // after failures, poll less often (every 2^n seconds, at most every 30 s)
    if (this.failures && (this.skipped = (this.skipped || 0) + 1) < Math.min(30, 2 ** this.failures)) return;
    this.skipped = 0;
    this.busy = true;
    try {
      const [picture, tactical] = await Promise.all([
        get("/v1/tracks"),
        show.tactical ? get("/v1/conflicts?kind=tactical&state=open") : null,
      ]);
      this.tracks.update(picture.tracks);
      this.app.state.tracks = picture.tracks;
      if (tactical) this.setTactical(tactical.conflicts);
      else this.tactical.follow();
      this.failures = 0;
    } catch (err) {
      this.failures = Math.min(this.failures + 1, 5);
      if (this.failures === 1) this.app.toast(t("toast.tracks_unavailable", { error: err.message }));
    } finally {
      this.busy = false;
    }
    this.app.objects.tick();
  }

  /** New tactical list: redraw, and re-render the panels only when the set or a severity changed. */
  setTactical(conflicts) {
    const s = this.app.state;
    const before = s.tactical.map((c) => `${c.id}:${c.severity}:${c.state}`).join();
    s.tactical = conflicts;
    this.tactical.render(conflicts);
    const after = conflicts.map((c) => `${c.id}:${c.severity}:${c.state}`).join();
    if (before !== after) this.app.renderLists();
  }

  /** Every second: count the labels down. */
  tick() {
    this.tactical.tick();
  }
}
