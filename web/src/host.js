// The host's view: every party with what is open about it, the escalations that reached the host
// (and every other step up a ladder), and lead-time compliance per party as a small bar chart,
// with the channels behind it in a table.
import { esc, hhmm, minutes, partyColour, partyName } from "./format.js";
import { t } from "./i18n.js";
import { distinct } from "./names.js";

const SVG = "http://www.w3.org/2000/svg";

/** Lead-time compliance per sending party, summed over its channels: {party, notices, late,
 * compliance (null when it sent nothing)}. */
export function perParty(channels, parties) {
  return parties.map((p) => {
    const mine = channels.filter((c) => c.sender === p.id);
    const notices = mine.reduce((n, c) => n + c.notices, 0);
    const late = mine.reduce((n, c) => n + c.late, 0);
    return { party: p.id, name: p.name, notices, late, compliance: notices ? (notices - late) / notices : null };
  });
}

/** Horizontal bars, compliance 0–100 %: [{label, compliance, title}]. Built with DOM calls. */
export function complianceChart(rows) {
  const rowH = 22;
  const width = 380;
  const labelW = 130;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rowH * rows.length + 4}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("host.chart_label"));
  const el = (name, attrs, text) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  rows.forEach((r, i) => {
    const y = i * rowH + 4;
    const share = r.compliance === null ? 0 : r.compliance;
    const span = width - labelW - 44;
    const bar = el("rect", { x: labelW, y, width: span * share, height: 16, class: r.compliance === null ? "bar none" : share >= 0.95 ? "bar good" : share >= 0.8 ? "bar fair" : "bar poor" });
    bar.append(el("title", {}, r.title));
    svg.append(
      el("text", { x: 0, y: y + 13 }, r.label.slice(0, 22)),
      el("rect", { x: labelW, y, width: span, height: 16, class: "bar-back" }),
      bar,
      el("text", { x: width - 40, y: y + 13 }, r.compliance === null ? "–" : `${Math.round(r.compliance * 100)}%`),
    );
  });
  return svg;
}

export class HostView {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    // an escalation about a notice or a conflict: a click shows it on the map
    this.el.addEventListener("click", (e) => {
      const row = e.target.closest("[data-ref]");
      if (!row) return;
      const cut = row.dataset.ref.indexOf("|");
      this.app.show({ type: row.dataset.ref.slice(0, cut), id: row.dataset.ref.slice(cut + 1) });
    });
  }

  /** One acknowledgement's latest escalation step: when, who owes what (the subject by its
   * name), since when, and the rung it reached; ``name``: the subject's label, told apart from
   * a look-alike's. The id stays behind the copy button. */
  escalationRow(e, name) {
    const s = this.app.state;
    const what = e.subject === "conflict" && this.app.tacticalById(e.subject_id) ? "tactical" : e.subject;
    const ref = e.subject === "message" ? "" : `${e.subject === "agreement" ? "notice" : e.subject}|${e.subject_id}`;
    const line = t("host.owes", { party: partyName(s, e.party), subject: t(`host.subject.${what}`), name, since: hhmm(e.requested_at) });
    const rung = t("host.rung", { rung: e.rung, rung_name: e.rung_name });
    const state = e.to_host ? ` <strong>${esc(t("host.reached"))}</strong>` : e.next_due_at ? ` <span class="muted">${esc(t("host.next_at", { time: hhmm(e.next_due_at) }))}</span>` : "";
    return `<li class="${e.to_host ? "to-host" : ""}" data-ack="${esc(e.ack)}" data-subject-id="${esc(e.subject_id)}"${ref ? ` data-ref="${esc(ref)}" title="${esc(t("host.show_on_map"))}"` : ""}>${hhmm(e.at)} · <span class="escalation-text" dir="auto">${esc(line)}</span> → ${esc(rung)}${state} <button type="button" class="copy-id" data-copy="${esc(e.subject_id)}" title="${esc(t("copy_id.title"))}">${esc(t("copy_id"))}</button></li>`;
  }

  /** Rows of escalations, one per acknowledgement (its latest step), newest first, each subject
   * named so that two different ones never read the same. */
  escalationRows(steps) {
    const rows = steps.map((e) => ({ e, name: this.app.nameOf(e.subject, e.subject_id) }));
    const names = distinct(rows.map((r) => ({ label: `${r.e.party}|${r.name}`, more: [`${new Date(r.e.requested_at).toISOString().slice(11, 19)}Z`] })));
    return rows.map((r, i) => this.escalationRow(r.e, names[i].slice(names[i].indexOf("|") + 1))).join("") || `<li class="empty">${esc(t("list.none"))}</li>`;
  }

  render() {
    const s = this.app.state;
    const channels = s.lead ? s.lead.channels : [];
    const steps = s.escalations;
    // each acknowledgement once: its latest step, at the host or still climbing its ladder
    const latest = new Map();
    for (const e of [...steps].sort((x, y) => Date.parse(y.at) - Date.parse(x.at) || y.rung - x.rung)) if (!latest.has(e.ack)) latest.set(e.ack, e);
    const atHost = [...latest.values()].filter((e) => e.to_host);
    const climbing = [...latest.values()].filter((e) => !e.to_host);
    const tracks = s.tracks || [];
    this.el.innerHTML = `
      <h3>${esc(t("host.parties"))}</h3>
      <table class="parties"><thead><tr><th>${esc(t("host.col.id"))}</th><th>${esc(t("host.col.name"))}</th><th>${esc(t("host.col.lang"))}</th><th>${esc(t("host.col.open"))}</th><th>${esc(t("host.col.tactical"))}</th><th>${esc(t("host.col.tracks"))}</th><th>${esc(t("host.col.escalated"))}</th></tr></thead><tbody>${s.mechanism.parties
        .map((p) => {
          const open = s.conflicts.filter((c) => c.state === "open" && (c.own.party === p.id || c.with.party === p.id)).length;
          const tactical = s.tactical.filter((c) => c.state === "open" && (c.a.party === p.id || c.b.party === p.id)).length;
          const live = tracks.filter((track) => track.party === p.id).length;
          const escalated = new Set(steps.filter((e) => e.party === p.id).map((e) => e.ack)).size;
          return `<tr data-party="${esc(p.id)}"><td><span class="swatch" style="background:${esc(partyColour(s, p.id))}"></span> ${esc(p.id)}</td><td>${esc(p.name)}</td><td>${esc(p.language)}</td><td>${open}</td><td>${tactical}</td><td>${live}</td><td>${escalated}</td></tr>`;
        })
        .join("")}</tbody></table>
      <h3>${esc(t("host.at_host"))} (<span id="host-escalation-count">${atHost.length}</span>)</h3>
      <ul class="objects" id="escalations-host">${this.escalationRows(atHost.slice(0, 50))}</ul>
      <h3>${esc(t("host.climbing"))} (${climbing.length})</h3>
      <ul class="objects" id="escalations">${this.escalationRows(climbing.slice(0, 50))}</ul>
      <h3>${esc(t("host.lead_heading"))}</h3>
      <div id="lead-chart"></div>
      <table class="lead"><thead><tr><th>${esc(t("host.col.channel"))}</th><th>${esc(t("host.col.notices"))}</th><th>${esc(t("host.col.late"))}</th><th>${esc(t("host.col.median"))}</th><th>${esc(t("host.col.min"))}</th></tr></thead><tbody>${channels
        .map((c) => `<tr><td>${esc(partyName(s, c.sender))} → ${esc(partyName(s, c.recipient))}</td><td>${c.notices}</td><td>${c.late}</td><td>${minutes(c.median_lead_time_s)}</td><td>${minutes(c.min_lead_time_s)}</td></tr>`)
        .join("")}</tbody></table>
      <p class="muted">${esc(t("host.lead_note"))}</p>`;
    const rows = perParty(channels, s.mechanism.parties).map((r) => ({
      label: r.name,
      compliance: r.compliance,
      title: t("host.on_time", { party: r.name, on_time: r.notices - r.late, notices: r.notices }),
    }));
    if (rows.length) this.el.querySelector("#lead-chart").append(complianceChart(rows));
  }
}
