// The take-over: a flash message, or a tactical warning (a loss of separation, an intrusion or a
// non-conformance predicted within a minute), covers the whole screen with a sound every 1.5 s
// until the operator acknowledges it (a click, Enter, Space or a). Tactical warnings come first,
// soonest first; then flash items by due time.
//
// A warning shows while the party owes its acknowledgement (GET /v1/acks/pending), and also
// when an alert the party had already acknowledged at a lower severity rises to warning (a
// ``tactical.updated`` event): the server asks no new acknowledgement then, so the console
// remembers the warning until its operator acknowledges it here (the server answers an
// acknowledgement again with the earlier one).
import { post } from "./api.js";
import { countdown, isRtl, utc } from "./format.js";
import { t } from "./i18n.js";
import { replyButtons } from "./inbox.js";
import { secondsLeft, tacticalSummary, tacticalTitle } from "./tactical.js";

const SNOOZE_MS = 60_000;

/** Seconds until the tactical alert's predicted event (for sorting warnings). */
function imminence(c) {
  const f = c.figures || {};
  const name = c.category === "separation" ? "t_in_s" : c.category === "intrusion" ? "t_entry_s" : "t_exit_s";
  const left = secondsLeft(c, name in f ? name : "tcpa_s");
  return left === null ? 0 : left;
}

export class Takeover {
  constructor(app) {
    this.app = app;
    this.el = document.getElementById("takeover");
    this.warned = new Set();
    this.busy = new Set();
    this.current = null;
    this.lastBeep = 0;
    this.snoozed = new Map();
    /** Alarms closed for a minute: id → until (ms); they stay in the inbox meanwhile. */
    document.getElementById("takeover-ack").addEventListener("click", () => this.acknowledge());
    document.getElementById("takeover-snooze").addEventListener("click", () => this.snooze());
    document.getElementById("takeover-signout").addEventListener("click", () => app.signOut());
    // a flash message that expects a reply: one click answers it (and acknowledges it)
    document.getElementById("takeover-replies").addEventListener("click", (e) => {
      const b = e.target.closest("button[data-takeover-reply]");
      if (b) this.app.hotline.reply(b.dataset.takeoverReply, b.dataset.reply, b);
    });
  }

  /** Close the current alarm for ``SNOOZE_MS`` (the operator must be able to reach the rest of
   * the console, e.g. to load a signing key or to sign out); it comes back unless acknowledged. */
  snooze() {
    if (!this.current) return;
    this.snoozed.set(this.currentId(), Date.now() + SNOOZE_MS);
    this.render();
  }

  currentId() {
    const top = this.current;
    return top ? (top.conflict ? top.conflict.id : top.item.subject_id) : null;
  }

  /** Show why the last acknowledgement failed, inside the take-over (a toast would be hidden). */
  failed(err) {
    const el = document.getElementById("takeover-error");
    el.textContent = err ? t("takeover.ack_failed", { error: err.message }) : "";
    el.hidden = !err;
  }

  /** A ``tactical.detected`` / ``tactical.updated`` event: remember a warning told to us. */
  onTactical(event) {
    const p = event.payload || {};
    const me = this.app.state.me;
    if (me.is_host || !Array.isArray(p.to) || !p.to.includes(me.party)) return;
    if (event.type === "tactical.acknowledged" && p.party === me.party) this.warned.delete(p.conflict);
    else if (event.type === "tactical.cleared") this.warned.delete(p.conflict);
    else if (p.severity === "warning") this.warned.add(p.conflict);
  }

  /** What takes over the screen now, most urgent first: [{kind, item?, conflict?}]. */
  queue() {
    const s = this.app.state;
    const tactical = new Map(s.tactical.map((c) => [c.id, c]));
    const pending = s.pending.filter((a) => a.status === "pending");
    const owed = new Set(pending.filter((a) => a.subject === "conflict").map((a) => a.subject_id));
    const warnings = s.tactical
      .filter((c) => c.state === "open" && c.severity === "warning" && (owed.has(c.id) || this.warned.has(c.id)))
      .sort((x, y) => imminence(x) - imminence(y))
      .map((c) => ({ kind: "warning", conflict: c, item: pending.find((a) => a.subject_id === c.id) || null }));
    const flashes = pending
      .filter((a) => a.priority === "flash" && !(tactical.has(a.subject_id) && tactical.get(a.subject_id).severity === "warning"))
      .sort((x, y) => (x.due_at ? Date.parse(x.due_at) : -Infinity) - (y.due_at ? Date.parse(y.due_at) : -Infinity))
      .map((a) => ({ kind: "flash", item: a, conflict: tactical.get(a.subject_id) || null }));
    const now = Date.now();
    const awake = (q) => !((this.snoozed.get(q.conflict ? q.conflict.id : q.item.subject_id) || 0) > now);
    return [...warnings, ...flashes].filter(awake);
  }

  render() {
    const [top] = this.queue();
    const was = !this.el.hidden;
    this.current = top || null;
    this.el.hidden = !top;
    document.body.classList.toggle("alarm", Boolean(top));
    if (!top) {
      delete this.el.dataset.id;
      delete this.el.dataset.kind;
      return;
    }
    const id = top.conflict ? top.conflict.id : top.item.subject_id;
    const changed = this.el.dataset.id !== id;
    if (changed) this.failed(null);
    this.el.dataset.id = id;
    this.el.dataset.kind = top.kind;
    this.el.classList.toggle("warning", top.kind === "warning");
    const title = document.getElementById("takeover-title");
    const text = document.getElementById("takeover-text");
    const free = document.getElementById("takeover-free");
    if (top.kind === "warning") {
      title.textContent = t("takeover.warning", { what: t(`takeover.category.${top.conflict.category}`) });
      text.textContent = tacticalTitle(top.conflict, this.app.state);
      text.dir = "auto";
      text.lang = "";
      free.textContent = tacticalSummary(top.conflict);
      free.hidden = false;
    } else {
      const d = this.app.inbox.describe(top.item);
      title.textContent = t("takeover.flash", { what: d.title });
      text.textContent = d.body || d.name;
      text.dir = isRtl(d.language) ? "rtl" : "auto";
      text.lang = d.language || "";
      const more = [d.body && d.name ? d.name : "", d.text || ""].filter(Boolean).join(" · ");
      free.textContent = more;
      free.hidden = !more;
    }
    const viewer = this.app.state.me.role === "viewer";
    const replies = document.getElementById("takeover-replies");
    const d = top.kind === "flash" && top.item.subject === "message" ? this.app.inbox.describe(top.item) : null;
    if (changed || replies.hidden === Boolean(d && d.replies)) {
      replies.innerHTML = d && d.replies ? replyButtons(top.item.subject_id, d.replies, d.language, "data-takeover-reply") : "";
      replies.hidden = !(d && d.replies);
    }
    document.getElementById("takeover-ack").hidden = viewer;
    document.getElementById("takeover-viewer").hidden = !viewer;
    this._meta();
    if (!was || changed) {
      (viewer ? document.getElementById("takeover-snooze") : document.getElementById("takeover-ack")).focus();
      this.lastBeep = Date.now();
      this.app.beep(top.kind === "warning" ? "warning" : "flash");
    }
  }

  _meta() {
    const top = this.current;
    const item = top.item;
    const due = item && item.due_at ? t("takeover.ack_by", { time: `${new Date(item.due_at).toISOString().slice(11, 19)}Z`, left: countdown((Date.parse(item.due_at) - Date.now()) / 1000) }) : "";
    const meta = document.getElementById("takeover-meta");
    if (top.kind === "warning") {
      meta.textContent = `${t("takeover.since", { severity: t(`severity.${top.conflict.severity}`), time: utc(top.conflict.updated_at) })} · ${item ? due : t("takeover.raised_after_ack")}`;
      document.getElementById("takeover-free").textContent = tacticalSummary(top.conflict);
    } else {
      meta.textContent = item.due_at ? due : t("takeover.escalated_to_host");
    }
  }

  /** Every second: the countdowns, and the sound again while the screen is taken over. */
  tick() {
    const now = Date.now();
    for (const [id, until] of this.snoozed) if (until <= now) this.snoozed.delete(id);
    if (this.el.hidden && this.queue().length) this.render(); // a closed alarm is due again
    if (this.el.hidden || !this.current) return;
    this._meta();
    if (now - this.lastBeep > 1500) {
      this.lastBeep = now;
      this.app.beep(this.current.kind === "warning" ? "warning" : "flash");
    }
  }

  async acknowledge() {
    const top = this.current;
    if (!top) return;
    if (top.item) {
      const err = await this.app.inbox.acknowledgeItem(top.item);
      this.failed(err);
      if (!err && top.conflict) this.warned.delete(top.conflict.id);
      this.render();
      return;
    }
    const id = top.conflict.id;
    if (this.busy.has(id)) return;
    this.busy.add(id);
    try {
      await post(`/v1/conflicts/${encodeURIComponent(id)}/ack`);
      this.warned.delete(id);
      this.failed(null);
      this.app.toast(t("toast.acknowledged", { name: tacticalTitle(top.conflict, this.app.state) }));
    } catch (err) {
      this.failed(err);
    } finally {
      this.busy.delete(id);
      this.render();
    }
  }

  /** Keys while the screen is taken over: Enter, Space or a acknowledges; others are swallowed. */
  key(e) {
    if (this.el.hidden) return false;
    if (this.app.state.me.role === "viewer") return false; // nothing to acknowledge here
    if (e.key === "Enter" || e.key === " " || e.key === "a") {
      e.preventDefault();
      if (!e.repeat) this.acknowledge();
    }
    return true;
  }
}
