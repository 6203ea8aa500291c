// The server's check of a draft notice (POST /v1/notices/check, nothing stored): run, debounced,
// whenever the outline, the band, the window or the kind changes, or at once on request, so
// that the operator sees the conflicts, the lead time and the parties it would be late for
// before filing. The answer to an older draft is dropped when a newer one was asked meanwhile,
// and the form clears the shown answer as soon as an input changes.
import { post, wantsSignature } from "./api.js";
import { band, esc, minutes, partyName, utc } from "./format.js";
import { t } from "./i18n.js";
import { conflictName } from "./names.js";

export const CHECK_DELAY_MS = 350;

export class DraftCheck {
  /**
   * @param {object} app the console (state, map).
   * @param {HTMLElement} element where the result is shown.
   * @param {{refused?: (err: Error) => string}} options ``refused`` puts an invalid draft's
   *   refusal (400, 422) into words for the operator and marks the field it names.
   */
  constructor(app, element, { refused = null } = {}) {
    this.app = app;
    this.el = element;
    this.refused = refused;
    this.timer = null;
    this.asked = 0;
    this.unavailable = false;
  }

  /** Check ``body`` soon (``amending``: the id of the own notice being amended). */
  schedule(body, amending) {
    clearTimeout(this.timer);
    if (this.unavailable) return;
    this.el.dataset.state = "pending";
    this.timer = setTimeout(() => this.run(body, amending), CHECK_DELAY_MS);
  }

  /** Check ``body`` now, without waiting. */
  now(body, amending) {
    clearTimeout(this.timer);
    if (this.unavailable) return;
    this.el.dataset.state = "pending";
    this.run(body, amending);
  }

  /** Forget the shown answer (and any answer still on its way). */
  clear() {
    clearTimeout(this.timer);
    this.asked += 1;
    this.el.innerHTML = "";
    delete this.el.dataset.state;
    delete this.el.dataset.count;
    this.app.map.showPreview([]);
  }

  async run(body, amending) {
    const ticket = ++this.asked;
    const query = amending ? `?amending=${encodeURIComponent(amending)}` : "";
    try {
      const found = await post(`/v1/notices/check${query}`, body, { prompt: false });
      if (ticket === this.asked) this.show(found);
    } catch (err) {
      if (ticket !== this.asked) return;
      if (err.status === 404 || err.status === 405) {
        this.unavailable = true; // an older server: file to see the conflicts
        this.el.dataset.state = "unavailable";
        this.el.innerHTML = `<p class="muted">${esc(t("check.unavailable"))}</p>`;
        return;
      }
      this.el.dataset.state = "error";
      const invalid = (err.status === 400 || err.status === 422) && this.refused;
      this.el.innerHTML = wantsSignature(err)
        ? `<p class="error">${esc(t("check.needs_key"))}</p>`
        : `<p class="error">${esc(t("check.refused", { reason: invalid ? this.refused(err) : err.message }))}</p>`;
      this.app.map.showPreview([]);
    }
  }

  show(found) {
    const s = this.app.state;
    const n = found.conflicts.length;
    this.el.dataset.state = "done";
    this.el.dataset.count = String(n);
    const late = found.late_for.length ? ` — <span class="late">${esc(t("check.late_for", { parties: found.late_for.map((p) => partyName(s, p)).join(", ") }))}</span>` : "";
    const list = n
      ? `<ul class="conflicts">${found.conflicts
          .map(
            (c) => `<li class="check-conflict"><strong>${esc(conflictName(c, s, { window: false, self: { id: c.own.id, name: t("check.this_draft") } }))}</strong><br>${band(c.altitude)} · ${utc(c.window.start)} → ${utc(c.window.end)} · ${esc(t("check.apart", { metres: Math.round(c.distance_m) }))}</li>`,
          )
          .join("")}</ul>`
      : "";
    this.el.innerHTML = `<p><strong id="check-count" data-count="${n}">${esc(n ? t(n > 1 ? "check.conflicts" : "check.one_conflict", { count: n }) : t("check.no_conflict"))}</strong> ${esc(t("check.if_filed_now", { lead: minutes(found.lead_time_s) }))}${late}</p>${list}`;
    this.app.map.showPreview(found.conflicts);
  }
}
