// The inbox: everything awaiting this operator's acknowledgement — notices, conflicts (strategic
// and tactical), messages, escalated items — most urgent first, with a live countdown; a click
// or a key acknowledges. Flash items and tactical warnings also take over the screen
// (takeover.js).
import { post } from "./api.js";
import { countdown, esc, hhmm, isRtl, partyName } from "./format.js";
import { t } from "./i18n.js";
import { bandText, conflictName, distinct, noticeName, priorityChip, priorityRank, unseenName, windowText } from "./names.js";
import { severityRank, tacticalSummary, tacticalTitle } from "./tactical.js";

const PRIORITY_RANK = { flash: 0, priority: 1, routine: 2 };
const PATHS = { notice: "notices", conflict: "conflicts", message: "messages", incident: "incidents" };

/** Tactical warnings first (a collision predicted within a minute); then conflicts with a
 * priority notice, the higher status first (R-PRIO-1); then due first, an item escalated to
 * the host (no due time left) before all; then priority. ``tactical`` maps a tactical
 * conflict's id to the conflict, ``marked`` a strategic conflict's id to its priority status. */
export function byUrgency(a, b, tactical = new Map(), marked = new Map()) {
  const wa = severityRank(tactical.get(a.subject_id)?.severity) === 2;
  const wb = severityRank(tactical.get(b.subject_id)?.severity) === 2;
  if (wa !== wb) return wa ? -1 : 1;
  const pa = a.subject === "conflict" ? priorityRank(marked.get(a.subject_id)) : 0;
  const pb = b.subject === "conflict" ? priorityRank(marked.get(b.subject_id)) : 0;
  if (pa !== pb) return pb - pa;
  const da = a.due_at ? Date.parse(a.due_at) : -Infinity;
  const db = b.due_at ? Date.parse(b.due_at) : -Infinity;
  if (da !== db) return da - db;
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
}

/** One button per reply a message expects (its code and its words in the reader's language),
 * each naming the message in ``attribute``; a place for the error after them. */
export function replyButtons(messageId, replies, language, attribute) {
  return `<div class="reply-buttons" role="group">${replies
    .map((r) => `<button type="button" class="reply-button" ${attribute}="${esc(messageId)}" data-reply="${esc(r.reply)}" title="${esc(t("hotline.reply_title", { reply: r.reply }))}"><strong>${esc(r.reply)}</strong> <span lang="${esc(language || "")}" dir="auto">${esc(r.words)}</span></button>`)
    .join("")}<span class="error reply-error" role="alert"></span></div>`;
}

export class Inbox {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.selected = 0;
    this.items = [];
    this.busy = new Set();
    this.el.innerHTML = `<p class="hint">${esc(t("inbox.keys"))}</p><ol class="inbox" id="inbox-list"></ol>`;
    this.list = this.el.querySelector("#inbox-list");
    // a double click opens the object's details (its conflicts and ledger timeline)
    this.list.addEventListener("dblclick", (e) => {
      const row = e.target.closest("li[data-subject]");
      if (!row || e.target.closest("button") || row.dataset.subject === "message") return;
      const type = ["notice", "incident"].includes(row.dataset.subject) ? row.dataset.subject : this.app.tacticalById(row.dataset.id) ? "tactical" : "conflict";
      this.app.objects.select({ type, id: row.dataset.id }, { show: true });
    });
    this.list.addEventListener("click", (e) => {
      const reply = e.target.closest("button[data-inbox-reply]");
      if (reply) {
        this.app.hotline.reply(reply.dataset.inboxReply, reply.dataset.reply, reply);
        return;
      }
      const button = e.target.closest("button[data-ack]");
      if (button) this.acknowledge(Number(button.dataset.ack));
      const row = e.target.closest("li[data-index]");
      if (row && !button) this.select(Number(row.dataset.index));
    });
  }

  /** What an item says: ``title`` (what it is, whose), ``name`` (the object it is about, as
   * a person names it: never its id), ``body`` (a message's rendered text), ``text`` (its
   * free text), ``more`` (words that tell it apart from a look-alike: window, band). */
  describe(item) {
    const s = this.app.state;
    if (item.subject === "message") {
      const m = s.messages.find((x) => x.id === item.subject_id);
      if (!m) return { title: unseenName("message"), name: "", body: "", language: "", more: [] };
      return {
        title: t("inbox.message_from", { priority: t(`priority.${m.priority}`), party: partyName(s, m.from) }),
        name: m.about ? this.app.nameOf(m.about.type, m.about.id) : "",
        body: m.rendered || "",
        text: m.text,
        language: m.rendered ? m.language : "",
        more: [hhmm(m.sent_at)],
        // the replies its template expects: one click answers and acknowledges (R-MSG-5)
        replies: !m.reply && m.to === s.me.party && s.me.role !== "viewer" && m.replies && m.replies.length ? m.replies : null,
      };
    }
    if (item.subject === "conflict") {
      const c = this.app.tacticalById(item.subject_id);
      if (c)
        return { title: t("inbox.tactical", { category: t(`category.${c.category}`), severity: t(`severity.${c.severity}`) }), name: tacticalTitle(c, s), tactical: c, language: "", more: [] };
      const strategic = s.conflicts.find((x) => x.id === item.subject_id);
      return {
        title: t("inbox.conflict"),
        priorityStatus: strategic ? strategic.priority_status : null,
        name: strategic ? conflictName(strategic, s) : unseenName("conflict"),
        language: "",
        more: strategic ? [bandText(strategic.altitude)] : [],
      };
    }
    if (item.subject === "incident") {
      const x = (s.incidents || []).find((i) => i.id === item.subject_id);
      if (!x) return { title: unseenName("incident"), name: "", language: "", more: [] };
      return { title: t("inbox.incident_from", { party: partyName(s, x.party) }), name: this.app.nameOf("incident", x.id), text: x.narrative.split("\n")[0], language: "", more: [] };
    }
    const n = s.notices.find((x) => x.id === item.subject_id);
    const v = n && n.volumes[0];
    return {
      title: n ? t("inbox.notice_from", { party: partyName(s, n.party), kind: t(`kind.${n.kind}`) }) : unseenName("notice"),
      name: n ? noticeName(n, s) : "",
      language: "",
      more: v ? [windowText(v.time.start, v.time.end), bandText(v.altitude)] : [],
    };
  }

  render() {
    const tactical = new Map(this.app.state.tactical.map((c) => [c.id, c]));
    const marked = new Map(this.app.state.conflicts.filter((c) => c.priority_status).map((c) => [c.id, c.priority_status]));
    // a request for agreement is answered on its notice (agree, deny, counter), never acknowledged
    this.items = [...this.app.state.pending].filter((a) => a.status === "pending" && a.subject !== "agreement").sort((a, b) => byUrgency(a, b, tactical, marked));
    this.selected = Math.min(this.selected, Math.max(0, this.items.length - 1));
    document.getElementById("inbox-count").textContent = String(this.items.length);
    document.getElementById("inbox-count").dataset.count = String(this.items.length);
    if (!this.items.length) {
      this.list.innerHTML = `<li class="empty">${esc(t("inbox.empty"))}</li>`;
    } else {
      const described = this.items.map((item) => this.describe(item));
      // two different items never read the same: a look-alike takes its window, then its band
      const names = distinct(described.map((d) => ({ label: `${d.title}\u0000${d.name}`, more: d.more })));
      this.list.innerHTML = this.items
        .map((item, i) => {
          const d = described[i];
          d.name = names[i].slice(names[i].indexOf("\u0000") + 1);
          const dir = isRtl(d.language) ? "rtl" : "auto";
          const sev = d.tactical ? ` sev-${esc(d.tactical.severity)}` : "";
          const marked = d.priorityStatus ? " priority-status" : "";
          return `<li data-index="${i}" data-subject="${esc(item.subject)}" data-id="${esc(item.subject_id)}" class="item prio-${esc(item.priority)}${sev}${marked}${i === this.selected ? " selected" : ""}" aria-selected="${i === this.selected}">
            <div class="item-head"><span class="chip prio" data-priority="${esc(item.priority)}">${esc(t(`priority.${item.priority}`))}</span> <span class="item-title">${esc(d.title)}</span>${d.priorityStatus ? ` ${priorityChip(d.priorityStatus)}` : ""}
              <span class="countdown" data-due="${esc(item.due_at || "")}"></span></div>
            ${d.name ? `<div class="item-name" dir="auto">${esc(d.name)}</div>` : ""}
            ${d.body ? `<div class="item-body" dir="${dir}" lang="${esc(d.language || "")}">${esc(d.body)}</div>` : ""}
            ${d.tactical ? `<div class="item-body tactical-summary sev-${esc(d.tactical.severity)}" data-conflict="${esc(d.tactical.id)}">${esc(tacticalSummary(d.tactical))}</div>` : ""}
            ${d.text ? `<div class="item-body free" dir="auto">${esc(d.text)}</div>` : ""}
            ${d.replies ? replyButtons(item.subject_id, d.replies, d.language, "data-inbox-reply") : ""}
            ${item.rung ? `<div class="rung">${esc(t("inbox.rung", { rung: item.rung }))}</div>` : ""}
            <button type="button" data-ack="${i}" title="${esc(t("action.acknowledge_title"))}" ${this.busy.has(item.subject_id) ? "disabled" : ""}>${esc(t("action.acknowledge"))}</button>
            <button type="button" class="copy-id" data-copy="${esc(item.subject_id)}" title="${esc(t("copy_id.title"))}">${esc(t("copy_id"))}</button>
          </li>`;
        })
        .join("");
    }
    this.tick();
  }

  /** Update the countdowns (every second). */
  tick() {
    const now = Date.now();
    for (const el of this.list.querySelectorAll(".countdown")) {
      if (!el.dataset.due) {
        el.textContent = t("inbox.with_host");
        el.classList.add("overdue");
        continue;
      }
      const left = (Date.parse(el.dataset.due) - now) / 1000;
      el.textContent = left < 0 ? t("inbox.overdue", { time: countdown(-left) }) : countdown(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 120);
    }
    for (const el of this.list.querySelectorAll(".tactical-summary[data-conflict]")) {
      const alert = this.app.tacticalById(el.dataset.conflict);
      if (alert) el.textContent = tacticalSummary(alert, now);
    }
  }

  /** What an item shows on the map: its notice or conflict, or the object a message is
   * about; null for a message about nothing. */
  refOf(item) {
    if (!item) return null;
    if (item.subject === "message") {
      const m = this.app.state.messages.find((x) => x.id === item.subject_id);
      return m && m.about ? { type: m.about.type, id: m.about.id } : null;
    }
    if (item.subject === "incident") return null; // its details open with a double click
    return { type: item.subject, id: item.subject_id };
  }

  /** Select an item: it is highlighted here, and on the map panned to with its popup open. */
  select(index) {
    this.selected = Math.max(0, Math.min(index, this.items.length - 1));
    for (const li of this.list.querySelectorAll("li[data-index]")) {
      const on = Number(li.dataset.index) === this.selected;
      li.classList.toggle("selected", on);
      li.setAttribute("aria-selected", String(on));
    }
    const ref = this.refOf(this.items[this.selected]);
    if (ref) this.app.show(ref);
  }

  key(e) {
    if (e.key === "ArrowDown" || e.key === "j") {
      e.preventDefault();
      this.select(this.selected + 1);
    } else if (e.key === "ArrowUp" || e.key === "k") {
      e.preventDefault();
      this.select(this.selected - 1);
    } else if (e.key === "a" || e.key === "Enter") {
      e.preventDefault();
      this.acknowledge(this.selected);
    }
  }

  /** Acknowledge one item; resolves to the error when it failed (shown in a toast), else null. */
  async acknowledgeItem(item) {
    if (!item || this.busy.has(item.subject_id)) return null;
    this.busy.add(item.subject_id);
    const named = this.app.nameOf(item.subject, item.subject_id);
    try {
      await post(`/v1/${PATHS[item.subject]}/${encodeURIComponent(item.subject_id)}/ack`);
      this.app.state.pending = this.app.state.pending.filter((a) => a.subject_id !== item.subject_id || a.subject !== item.subject);
      this.app.toast(t("toast.acknowledged", { name: named }));
      return null;
    } catch (err) {
      this.app.toast(t("toast.ack_failed", { name: named, error: err.message }));
      return err;
    } finally {
      this.busy.delete(item.subject_id);
      this.render();
      this.app.takeover.render();
      this.app.refresh(["pending", "messages", "conflicts", "tactical", "incidents"]);
    }
  }

  acknowledge(index) {
    return this.acknowledgeItem(this.items[index]);
  }
}
