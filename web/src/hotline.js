// The hotline: threads per counterparty and per notice or conflict; compose from the standard
// templates with parameters, or free text; each message in the reader's language (right to left
// for Hebrew and Arabic), with its ticks: ✓ sent, ✓✓ delivered, blue ✓✓ acknowledged. A message
// whose template expects a reply (WILCO, UNABLE, AFFIRM, NEGATIVE) offers each as one button to
// its recipient: one click replies and acknowledges it; the sender sees the reply come back.
import { post } from "./api.js";
import { countdown, esc, hhmm, isRtl, partyName } from "./format.js";
import { hasWord, t } from "./i18n.js";
import { bandText, conflictName, distinct, noticeName, unseenName, windowText } from "./names.js";
import { replyButtons } from "./inbox.js";
import { tacticalTitle } from "./tactical.js";

/** A template as the reader knows it: its pattern in the reader's language, each parameter
 * as "…", cut at 70 characters. */
function templateLabel(tpl) {
  const text = tpl.pattern.replace(/\{\w+\}/g, "…");
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

/** A template parameter's name in the reader's language ("lower_m" → "lower limit"); one the
 * console has no word for (a template added on the server since) as its name in words. */
function paramWord(name) {
  return hasWord(`param.${name}`) ? t(`param.${name}`) : name.replace(/_m$/, "").replaceAll("_", " ");
}

/** A thread by what it is about: the other party, or the notice or conflict by its name. */
function threadLabel(thread, state) {
  const [type, rest] = [thread.slice(0, thread.indexOf(":")), thread.slice(thread.indexOf(":") + 1)];
  if (type === "parties") {
    const other = rest.split("|").find((p) => p !== state.me.party) || rest;
    return t("hotline.thread_with", { party: partyName(state, other) });
  }
  if (type === "conflict") {
    const tactical = state.tactical.find((c) => c.id === rest);
    if (tactical) return t("hotline.about_tactical", { category: t(`category.${tactical.category}`), name: tacticalTitle(tactical, state) });
    const conflict = state.conflicts.find((c) => c.id === rest);
    return t("hotline.about_conflict", { name: conflict ? conflictName(conflict, state) : unseenName("conflict") });
  }
  const notice = state.notices.find((n) => n.id === rest);
  return t("hotline.about_notice", { name: notice ? noticeName(notice, state) : state.titles.get(rest) || unseenName("notice") });
}

export class Hotline {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.thread = null;
    this.el.innerHTML = `
      <div class="hotline">
        <ul id="threads" class="threads" aria-label="${esc(t("hotline.threads"))}"></ul>
        <div id="thread" class="thread" aria-live="polite"></div>
        <form id="compose" class="compose" novalidate>
          <div class="row">
            <label>${esc(t("hotline.to"))} <select name="to"></select></label>
            <label>${esc(t("hotline.priority"))} <select name="priority">${["routine", "priority", "flash"].map((p) => `<option value="${p}">${esc(t(`priority.${p}`))}</option>`).join("")}</select></label>
            <label>${esc(t("hotline.about"))} <select name="about"><option value="">—</option></select></label>
          </div>
          <label>${esc(t("hotline.template"))} <select name="template" id="compose-template"><option value="">${esc(t("hotline.free_only"))}</option></select></label>
          <div id="compose-params" class="params"></div>
          <p id="compose-preview" class="preview muted"></p>
          <label>${esc(t("hotline.free_text"))} <textarea name="text" rows="2" maxlength="2000" dir="auto"></textarea></label>
          <div class="row"><button type="submit" id="compose-send">${esc(t("hotline.send"))}</button><span id="compose-error" class="error" role="alert"></span></div>
        </form>
      </div>`;
    this.form = this.el.querySelector("#compose");
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send();
    });
    this.form.template.addEventListener("change", () => this.renderParams());
    this.form.addEventListener("input", () => this.preview());
    this.el.querySelector("#thread").addEventListener("click", (e) => {
      const r = e.target.closest("[data-reply-message]");
      if (r) {
        this.reply(r.dataset.replyMessage, r.dataset.reply, r);
        return;
      }
      const b = e.target.closest("[data-ack-message]");
      if (b) this.app.inbox.acknowledgeItem({ subject: "message", subject_id: b.dataset.ackMessage, priority: "routine" });
    });
    this.el.querySelector("#threads").addEventListener("click", (e) => {
      const li = e.target.closest("li[data-thread]");
      if (li) this.open(li.dataset.thread);
    });
    const s = app.state;
    const others = [...s.mechanism.parties, s.mechanism.host].filter((p) => p.id !== s.me.party);
    this.form.to.innerHTML = others.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("");
  }

  templatesLoaded() {
    const catalogue = this.app.state.templates;
    this.form.template.innerHTML =
      `<option value="">${esc(t("hotline.free_only"))}</option>` +
      catalogue.templates.map((x) => `<option value="${esc(x.id)}">${esc(templateLabel(x))}</option>`).join("");
  }

  template() {
    const id = this.form.template.value;
    return id ? this.app.state.templates.templates.find((x) => x.id === id) : null;
  }

  renderParams() {
    const tpl = this.template();
    const box = this.el.querySelector("#compose-params");
    if (!tpl) {
      box.innerHTML = "";
      this.preview();
      return;
    }
    box.innerHTML = tpl.params
      .map((p) => {
        const type = p.type === "int" || p.type === "float" ? "number" : "text";
        const limits = [p.minimum !== null ? `min="${p.minimum}"` : "", p.maximum !== null ? `max="${p.maximum}"` : "", p.max_chars ? `maxlength="${p.max_chars}"` : "", p.type === "float" ? 'step="any"' : ""].join(" ");
        const hint = p.type === "utc_time" ? t("hotline.time_hint") : p.unit;
        return `<label>${esc(paramWord(p.name))}${hint ? ` <span class="muted">(${esc(hint)})</span>` : ""} <input data-param="${esc(p.name)}" data-type="${esc(p.type)}" type="${type}" ${limits} required dir="auto"></label>`;
      })
      .join("");
    if (tpl.about.length) {
      const wanted = tpl.about.join(" or ");
      if (!this.form.about.value) this.el.querySelector("#compose-error").textContent = t("hotline.must_be_about", { what: tpl.about.map((a) => t(`host.subject.${a}`)).join(" / ") });
    } else {
      this.el.querySelector("#compose-error").textContent = "";
    }
    this.preview();
  }

  params() {
    const out = {};
    for (const input of this.el.querySelectorAll("[data-param]")) {
      const v = input.value.trim();
      if (v === "") continue;
      out[input.dataset.param] = input.dataset.type === "int" ? parseInt(v, 10) : input.dataset.type === "float" ? Number(v) : v;
    }
    return out;
  }

  preview() {
    const tpl = this.template();
    const el = this.el.querySelector("#compose-preview");
    if (!tpl) {
      el.textContent = "";
      return;
    }
    const params = this.params();
    el.textContent = tpl.pattern.replace(/\{(\w+)\}/g, (_m, name) => (name in params ? String(params[name]) : `{${name}}`));
    el.dir = isRtl(this.app.state.templates.language) ? "rtl" : "auto";
  }

  focusCompose() {
    this.form.template.focus();
  }

  /** The threads (newest activity first), then the open thread's messages (oldest first). */
  render() {
    const s = this.app.state;
    const threads = new Map();
    for (const m of s.messages) if (!threads.has(m.thread)) threads.set(m.thread, []);
    for (const m of s.messages) threads.get(m.thread).push(m);
    const unacked = s.messages.filter((m) => m.to === s.me.party && m.acknowledgement && m.acknowledgement.status === "pending");
    document.getElementById("hotline-count").textContent = String(unacked.length);
    this.el.querySelector("#threads").innerHTML = [...threads.entries()]
      .map(([id, list]) => {
        const waiting = list.some((m) => m.to === s.me.party && m.acknowledgement && m.acknowledgement.status === "pending");
        return `<li data-thread="${esc(id)}" class="${id === this.thread ? "selected" : ""}${waiting ? " waiting" : ""}">${esc(threadLabel(id, s))} <span class="muted">(${list.length})</span></li>`;
      })
      .join("") || `<li class="empty">${esc(t("hotline.no_messages"))}</li>`;
    this.renderThread();
    this.renderAbout();
  }

  renderAbout() {
    const s = this.app.state;
    const current = this.form.about.value;
    const rows = [
      ...s.tactical.filter((c) => c.state === "open").map((c) => ({ value: `conflict:${c.id}`, label: t("hotline.about_tactical", { category: t(`category.${c.category}`), name: tacticalTitle(c, s) }), more: [] })),
      ...s.conflicts.filter((c) => c.state === "open").map((c) => ({ value: `conflict:${c.id}`, label: t("hotline.about_conflict", { name: conflictName(c, s) }), more: [bandText(c.altitude)] })),
      ...s.notices
        .filter((n) => n.status !== "cancelled")
        .map((n) => ({ value: `notice:${n.id}`, label: t("hotline.about_notice", { name: noticeName(n, s) }), more: n.volumes[0] ? [windowText(n.volumes[0].time.start, n.volumes[0].time.end), bandText(n.volumes[0].altitude)] : [] })),
    ];
    const labels = distinct(rows);
    const options = rows.map((r, i) => [r.value, labels[i]]);
    this.form.about.innerHTML = `<option value="">—</option>` + options.map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join("");
    if (options.some(([v]) => v === current)) this.form.about.value = current;
  }

  open(thread) {
    this.thread = thread;
    const s = this.app.state;
    const [type, rest] = [thread.slice(0, thread.indexOf(":")), thread.slice(thread.indexOf(":") + 1)];
    const first = s.messages.find((m) => m.thread === thread);
    if (first) this.form.to.value = first.from === s.me.party ? first.to : first.from;
    if (type === "parties") this.form.about.value = "";
    else this.form.about.value = `${type}:${rest}`;
    this.render();
  }

  renderThread() {
    const s = this.app.state;
    const box = this.el.querySelector("#thread");
    if (!this.thread) {
      box.innerHTML = this.app.state.me.role === "viewer"
        ? `<p class="muted">${esc(t("hotline.choose_viewer"))}</p>`
        : `<p class="muted">${esc(t("hotline.choose"))}</p>`;
      return;
    }
    const list = s.messages.filter((m) => m.thread === this.thread).reverse();
    box.innerHTML = `<h3>${esc(threadLabel(this.thread, s))}</h3>` + list.map((m) => this.messageHtml(m)).join("");
    box.scrollTop = box.scrollHeight;
  }

  messageHtml(m) {
    const s = this.app.state;
    const mine = m.from === s.me.party;
    const ack = m.acknowledgement;
    const acked = ack && ack.status === "acknowledged";
    // ✓ sent · ✓✓ delivered (reached the recipient's stream or webhook) · blue ✓✓ acknowledged
    const tick = acked ? "acknowledged" : m.delivered_at ? "delivered" : "sent";
    const ticks = tick === "sent" ? "✓" : "✓✓";
    const tickTitle =
      tick === "acknowledged"
        ? t("hotline.acked_by", { operator: ack.acked_by, time: hhmm(ack.acked_at) })
        : tick === "delivered"
          ? t("hotline.delivered_at", { time: hhmm(m.delivered_at) })
          : t("hotline.sent_not_delivered");
    const due = ack && ack.status === "pending" && ack.due_at ? ` · ${t("hotline.due_in", { time: countdown((Date.parse(ack.due_at) - Date.now()) / 1000) })}` : "";
    const dir = isRtl(m.language) ? "rtl" : "ltr";
    const english = m.rendered && m.language !== "en" ? `<div class="english muted" lang="en" dir="ltr">${esc(m.rendered_en)}</div>` : "";
    const button = !mine && ack && ack.status === "pending" ? `<button type="button" data-ack-message="${esc(m.id)}">${esc(t("action.acknowledge"))}</button>` : "";
    return `<article class="message ${mine ? "mine" : "theirs"} prio-${esc(m.priority)}" data-message="${esc(m.id)}">
      <header><span class="chip prio" data-priority="${esc(m.priority)}">${esc(t(`priority.${m.priority}`))}</span> ${esc(partyName(s, m.from))} → ${esc(partyName(s, m.to))} · ${hhmm(m.sent_at)}</header>
      ${m.rendered ? `<p class="rendered" lang="${esc(m.language)}" dir="${dir}">${esc(m.rendered)}</p>` : ""}${english}
      ${m.text ? `<p class="free" dir="auto">${esc(m.text)}</p>` : ""}
      ${this.replyHtml(m, mine)}
      <footer><span class="ticks ${tick}" title="${esc(tickTitle)}" data-state="${tick}" aria-label="${esc(tickTitle)}">${ticks}</span> <span class="muted">${esc(acked ? tickTitle : `${t(`hotline.tick.${tick}`)}${tick === "delivered" ? ` ${hhmm(m.delivered_at)}` : ""}${due}`)}</span> ${button}</footer>
    </article>`;
  }

  /** What the recipient may answer, or the answer given: the reply buttons (to the recipient's
   * duty officers, until it replies), the reply with who and when, or the replies awaited. */
  replyHtml(m, mine) {
    const replies = m.replies || [];
    if (m.reply) {
      const r = m.reply;
      const said = t("hotline.replied", { reply: r.reply, words: r.words, operator: r.replied_by, time: hhmm(r.replied_at) });
      return `<p class="reply-given" data-reply-state="${esc(r.reply)}"><span class="chip reply">${esc(r.reply)}</span> <span lang="${esc(m.language)}" dir="auto">${esc(said)}</span></p>`;
    }
    if (!replies.length) return "";
    if (mine || this.app.state.me.role === "viewer" || m.to !== this.app.state.me.party) {
      return `<p class="reply-awaited muted">${esc(t("hotline.awaiting_reply", { replies: replies.map((r) => r.reply).join(" / ") }))}</p>`;
    }
    return replyButtons(m.id, replies, m.language, "data-reply-message");
  }

  /** One click: the reply (which acknowledges the message too); the thread shows it at once. */
  async reply(messageId, reply, button) {
    const box = button.closest(".reply-buttons");
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    try {
      const answered = await post(`/v1/messages/${encodeURIComponent(messageId)}/reply`, { reply });
      const s = this.app.state;
      const at = s.messages.findIndex((x) => x.id === answered.id);
      if (at >= 0) s.messages[at] = answered;
      s.pending = s.pending.filter((a) => a.subject_id !== messageId);
      this.render();
      this.app.inbox.render();
      this.app.takeover.render();
      this.app.toast(t("toast.replied", { reply: answered.reply ? answered.reply.reply : reply, party: partyName(s, answered.from) }));
      this.app.refresh(["messages", "pending"]);
    } catch (err) {
      for (const b of box.querySelectorAll("button")) b.disabled = false;
      box.querySelector(".reply-error").textContent = t("hotline.not_replied", { error: err.message });
    }
  }

  async send() {
    const error = this.el.querySelector("#compose-error");
    error.textContent = "";
    const f = this.form;
    const body = { to: f.to.value, priority: f.priority.value, text: f.text.value.trim() };
    if (f.template.value) {
      body.template = f.template.value;
      body.params = this.params();
    }
    if (f.about.value) {
      const [type, id] = [f.about.value.slice(0, f.about.value.indexOf(":")), f.about.value.slice(f.about.value.indexOf(":") + 1)];
      body.about = { type, id };
    }
    if (!body.template && !body.text) {
      error.textContent = t("hotline.need_text");
      return;
    }
    try {
      const sent = await post("/v1/messages", body);
      f.text.value = "";
      f.priority.value = "routine"; // a flash is chosen for one message, never left armed for the next
      this.app.state.messages.unshift(sent);
      this.thread = sent.thread;
      this.render();
      this.app.toast(t("toast.sent", { priority: t(`priority.${sent.priority}`), party: partyName(this.app.state, sent.to) }));
      this.app.refresh(["messages"]);
    } catch (err) {
      error.textContent = t("hotline.not_sent", { error: err.message });
    }
  }
}
