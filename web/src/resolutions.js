// Resolution advice in the conflict panel: the amendments of the operator's own notice that
// the server found to clear a strategic conflict (GET /v1/conflicts/{id}/resolutions, each
// verified to clear every clash of that notice), said in words ("Start 12 min later", "Climb
// 300 ft", "Keep 14:05–14:40Z only") with the notice each amends, by its title, and a warning
// when it would break the lead time. Apply asks first, then sends the amendment as the SDK does
// (read the option again, then PUT /v1/notices/{id} with If-Match of the option's version and
// its volumes) through the console's one write helper, so a write is signed when the operator
// must sign. A notice that changed meanwhile (412) is said and the options are listed again;
// any other failure leaves Apply and Back in place. Hovering or choosing an option draws its
// volumes on the map, dashed.
import L from "./leaflet-global.js";
import { get, put } from "./api.js";
import { band, esc, partyColour } from "./format.js";
import { currentDirection, currentLanguage, t } from "./i18n.js";
import { windowText } from "./names.js";
import { outlineLayers } from "./shapes.js";

const FT_M = 0.3048;
const OPTION_ID = /^v(\d+)-/;

/** Stream events after which the options may differ (a notice, zone or conflict changed). */
const CHANGES = /^(notice|zone|conflict)\./;

/** The notice version an option was computed for (its id is ``v<version>-<hash>``); null for
 * an id of another form. */
export function optionVersion(id) {
  const found = OPTION_ID.exec(String(id));
  return found ? Number(found[1]) : null;
}

/** A positive number of seconds (whole minutes) as "12 min" or "1 h 05 min". */
export function durationText(seconds) {
  const total = Math.round(Math.abs(seconds) / 60);
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  if (!hours) return t("resolve.minutes", { minutes });
  return t("resolve.hours", { hours, minutes: String(minutes).padStart(2, "0") });
}

/** What an option changes, in words: "Start 12 min later", "Climb 300 ft (91 m)", "Keep
 * 14:05–14:40Z only". Heights in feet (100 ft steps) with the metres beside them. */
export function optionWords(option) {
  const move = () => ({ feet: Math.round(Math.abs(option.delta_m) / FT_M), metres: Math.round(Math.abs(option.delta_m)) });
  switch (option.kind) {
    case "shift_later":
      return t("resolve.shift_later", { duration: durationText(option.shift_s) });
    case "shift_earlier":
      return t("resolve.shift_earlier", { duration: durationText(option.shift_s) });
    case "climb":
      return t("resolve.climb", move());
    case "descend":
      return t("resolve.descend", move());
    case "shrink_window":
      return t("resolve.shrink_window", { window: windowText(option.window.start, option.window.end) });
    default:
      return String(option.kind);
  }
}

/** What the amended notice would be, where the option moves it: its (first volume's) window
 * after a shift, its band after a climb or descent; "" for a window kept (already said). */
export function optionResult(option) {
  const v = option.volumes && option.volumes[0];
  if (!v) return "";
  if (option.kind === "shift_later" || option.kind === "shift_earlier") return windowText(v.time.start, v.time.end);
  if (option.kind === "climb" || option.kind === "descend") return band(v.altitude);
  return "";
}

/** "→ 09:49–11:19Z" after an option's words ("←" right to left); the figures kept left to
 * right, so a window or a band never reads backwards in Hebrew or Arabic. */
const resultHtml = (result) => (result ? ` <span class="muted">${currentDirection() === "rtl" ? "←" : "→"} <bdi dir="ltr">${esc(result)}</bdi></span>` : "");

/** The words of an option inside a sentence ("Amend CAP north: start 12 min later?"). */
const inSentence = (words) => words.charAt(0).toLocaleLowerCase(currentLanguage()) + words.slice(1);

/** Why a conflict has no options for this operator, known without asking the server; null
 * when the server must be asked. */
export function reasonWithoutAsking(conflict, me) {
  if (me.is_host) return "host";
  if (me.role === "viewer") return "viewer";
  if (conflict.state !== "open") return "resolved";
  if (!conflict.own || conflict.own.type !== "notice") return "zone";
  return null;
}

const REASONS = {
  host: "resolve.none_host",
  viewer: "resolve.none_viewer",
  resolved: "resolve.none_resolved",
  zone: "resolve.none_zone",
};

export class Resolutions {
  /** ``element``: the panel that holds the conflict's details (events are delegated to it). */
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.conflictId = null;
    this.preview = L.layerGroup();
    this._reset();
    this.wanted = 0;
    element.addEventListener("click", (e) => this.click(e));
    element.addEventListener("mouseover", (e) => this.hover(e.target.closest("#resolutions li[data-option]")));
    element.addEventListener("mouseout", (e) => {
      const from = e.target.closest("#resolutions li[data-option]");
      if (from && !from.contains(e.relatedTarget)) this.hover(null);
    });
    element.addEventListener("focusin", (e) => {
      const row = e.target.closest("#resolutions li[data-option]");
      if (row) this.hover(row);
    });
  }

  _reset() {
    this.options = null;
    this.error = "";
    this.note = "";
    this.loading = false;
    this.loaded = -1;
    this.chosen = null;
    this.confirming = null;
    this.applying = null;
    this.failure = null;
    this.hovered = null;
    this.preview.clearLayers();
    document.body.dataset.resolutionPreview = "";
  }

  /** A stream event: options listed before a notice, zone or conflict changed may be stale;
   * they are asked again at the next render (after the lists reload). */
  onEvent(event) {
    if (CHANGES.test(event.type)) this.wanted += 1;
  }

  /** The panel shows something else: forget this conflict's options and its preview. */
  close() {
    if (this.conflictId === null) return;
    this.conflictId = null;
    this._reset();
  }

  /** The options section of a conflict's details; asks the server when the options are not
   * loaded for this conflict as it is now. */
  html(conflict) {
    if (conflict.id !== this.conflictId) {
      this.close();
      this.conflictId = conflict.id;
    }
    const reason = reasonWithoutAsking(conflict, this.app.state.me);
    if (reason) {
      if (this.options) this._reset();
      return this._wrap("none", `<p class="muted" data-reason="${reason}">${esc(t(REASONS[reason]))}</p>`, reason);
    }
    if (this.loaded !== this.wanted && !this.loading) this.load();
    return this._wrap(this._state(), this._body(conflict));
  }

  _state() {
    if (this.options === null) return this.error ? "error" : "loading";
    return this.options.length ? "ready" : "none";
  }

  _wrap(state, body, reason = "") {
    return `<section id="resolutions" class="resolutions" data-state="${state}"${reason ? ` data-reason="${reason}"` : ""}>
      <h4>${esc(t("resolve.heading"))}</h4>${body}</section>`;
  }

  _body(conflict) {
    const note = this.note ? `<p class="resolve-note" role="status">${esc(this.note)}</p>` : "";
    if (this.options === null) {
      if (!this.error) return `${note}<p class="muted">${esc(t("resolve.loading"))}</p>`;
      return `${note}<p class="error" role="alert">${esc(t("resolve.unavailable", { error: this.error }))}</p><button type="button" data-resolve="retry">${esc(t("resolve.retry"))}</button>`;
    }
    if (!this.options.length) {
      const notice = this.app.nameOf("notice", conflict.own.id);
      return `${note}<p class="muted" data-reason="none-found">${esc(t("resolve.none_found", { notice }))}</p>`;
    }
    const rows = this.options.map((o) => this._row(o)).join("");
    return `${note}<p class="muted">${esc(t("resolve.intro"))}</p><ul class="resolve-options">${rows}</ul>`;
  }

  _row(option) {
    const id = esc(option.id);
    const notice = this.app.nameOf("notice", option.notice_id);
    const words = optionWords(option);
    const result = optionResult(option);
    const late = option.late ? ` <span class="late" data-late>${esc(t("resolve.late"))}</span>` : "";
    const busy = this.applying === option.id;
    const chosen = this.chosen === option.id || this.confirming === option.id;
    let actions = `<button type="button" data-resolve="apply" data-id="${id}"${this.applying ? " disabled" : ""}>${esc(t("resolve.apply"))}</button>`;
    if (this.confirming === option.id) {
      const question = t("resolve.confirm", { notice, change: inSentence(words) });
      actions = `<div class="resolve-confirm" role="group">
        <strong class="resolve-question">${esc(question)}</strong>${option.late ? `<br><span class="late">${esc(t("resolve.confirm_late"))}</span>` : ""}
        <div class="row"><button type="button" class="primary" data-resolve="confirm" data-id="${id}"${busy ? " disabled" : ""}>${esc(t(busy ? "resolve.applying" : "resolve.confirm_yes"))}</button>
        <button type="button" data-resolve="back" data-id="${id}"${busy ? " disabled" : ""}>${esc(t("resolve.back"))}</button></div></div>`;
    }
    const failure = this.failure && this.failure.id === option.id ? `<p class="error" role="alert">${esc(this.failure.text)}</p>` : "";
    return `<li data-option="${id}" data-kind="${esc(option.kind)}" tabindex="0" class="${chosen ? "chosen" : ""}">
      <div class="resolve-words"><strong>${esc(words)}</strong>${resultHtml(result)}${late}</div>
      <div class="muted resolve-notice">${esc(t("resolve.amends", { notice }))}</div>
      ${actions}${failure}</li>`;
  }

  /** Put the section as it is now in place of the one on the page (no full re-render). */
  paint() {
    const section = this.el.querySelector("#resolutions");
    const conflict = this.conflictId && this.app.state.conflicts.find((c) => c.id === this.conflictId);
    if (!section || !conflict) return;
    const focused = document.activeElement && section.contains(document.activeElement) ? document.activeElement.dataset.resolve : null;
    section.outerHTML = this.html(conflict);
    if (focused) {
      const again = this.el.querySelector(`#resolutions [data-resolve="${focused}"]:not([disabled])`);
      if (again) again.focus();
    }
  }

  /** Ask the server for the options of the conflict shown (again after a change). */
  async load() {
    const id = this.conflictId;
    const asked = this.wanted;
    this.loading = true;
    try {
      const answer = await get(`/v1/conflicts/${encodeURIComponent(id)}/resolutions`);
      if (id !== this.conflictId) return;
      this.options = answer.options;
      this.error = "";
      if (this.chosen && !this.options.some((o) => o.id === this.chosen)) this.chosen = null;
      if (this.confirming && !this.options.some((o) => o.id === this.confirming)) this.confirming = null;
    } catch (err) {
      if (id !== this.conflictId) return;
      this.options = null;
      this.error = err.message;
    } finally {
      if (id === this.conflictId) {
        this.loading = false;
        this.loaded = asked;
      }
    }
    this._drawPreview();
    this.paint();
  }

  click(e) {
    const button = e.target.closest("#resolutions [data-resolve]");
    if (button) {
      const option = this.options && this.options.find((o) => o.id === button.dataset.id);
      const act = button.dataset.resolve;
      if (act === "retry") {
        this.error = "";
        this.loaded = -1;
        this.paint();
      } else if (act === "apply" && option) {
        this.confirming = option.id;
        this.chosen = option.id;
        this.failure = null;
        this.note = "";
        this._drawPreview();
        this.paint();
        const yes = this.el.querySelector("#resolutions [data-resolve=confirm]");
        if (yes) yes.focus();
      } else if (act === "back") {
        this.confirming = null;
        this.failure = null;
        this.paint();
      } else if (act === "confirm" && option) this.apply(option);
      return;
    }
    const row = e.target.closest("#resolutions li[data-option]");
    if (row) {
      this.chosen = this.chosen === row.dataset.option ? null : row.dataset.option;
      this._drawPreview();
      this.paint();
    }
  }

  /** Send the amendment an option stands for: read the option again (412 when the notice
   * changed since it was listed, 404 when it is no longer offered), then PUT the notice with
   * the option's volumes at the version it was listed for, the rest of the notice unchanged. */
  async apply(option) {
    const conflictId = this.conflictId;
    const notice = this.app.nameOf("notice", option.notice_id);
    const change = optionWords(option);
    this.applying = option.id;
    this.failure = null;
    this.paint();
    try {
      const fresh = await get(`/v1/conflicts/${encodeURIComponent(conflictId)}/resolutions/${encodeURIComponent(option.id)}`);
      const path = `/v1/notices/${encodeURIComponent(fresh.notice_id)}`;
      const current = await get(path);
      const body = {
        kind: current.kind,
        title: current.title,
        volumes: fresh.volumes.map(({ index, ...volume }) => volume),
        remarks: current.remarks,
        contact: current.contact,
        priority_status: current.priority_status, // a whole replacement: without it, cleared
        outside_area: true, // the notice's own outlines, accepted when it was filed
      };
      await put(path, body, optionVersion(fresh.id));
      this.app.toast(t("resolve.applied", { notice, change: inSentence(change) }));
      if (conflictId === this.conflictId) {
        this.confirming = null;
        this.chosen = null;
        this.note = "";
      }
      this.app.refresh(["notices", "conflicts", "pending"]);
    } catch (err) {
      if (conflictId !== this.conflictId) return;
      if (err.status === 412 || err.status === 404) {
        // the notice changed (or the advice did): say so and list the options as of now
        this.note = t(err.status === 412 ? "resolve.stale" : "resolve.gone", { notice });
        this.confirming = null;
        this.chosen = null;
        this.loaded = -1;
      } else this.failure = { id: option.id, text: t("resolve.failed", { error: err.message }) };
    } finally {
      if (conflictId === this.conflictId) this.applying = null;
      this._drawPreview();
      this.paint();
    }
  }

  hover(row) {
    const id = row ? row.dataset.option : null;
    if (id === this.hovered) return;
    this.hovered = id;
    this._drawPreview();
  }

  /** Draw the volumes of the option pointed at (else the one chosen or being confirmed) on the
   * map, dashed, in the operator's party colour, labelled with the change (an option keeps
   * the outlines: the label tells the preview from the notice it overlays). */
  _drawPreview() {
    const map = this.app.map && this.app.map.map;
    if (!map) return;
    if (!map.hasLayer(this.preview)) this.preview.addTo(map);
    this.preview.clearLayers();
    const id = this.hovered || this.confirming || this.chosen;
    const option = id && this.options && this.options.find((o) => o.id === id);
    document.body.dataset.resolutionPreview = option ? option.id : "";
    if (!option) return;
    const colour = partyColour(this.app.state, this.app.state.me.party);
    const style = { color: colour, weight: 3, dashArray: "8 6", fillColor: colour, fillOpacity: 0.08, interactive: false, className: "resolution-preview" };
    const layers = option.volumes.flatMap((volume) => outlineLayers(volume.outline, style));
    for (const layer of layers) layer.addTo(this.preview);
    const label = `<span dir="auto">${esc(optionWords(option))}</span>${resultHtml(optionResult(option))}`;
    if (layers.length) layers[0].bindTooltip(label, { permanent: true, direction: "bottom", interactive: false, className: "resolution-preview-label" }).openTooltip();
  }
}
