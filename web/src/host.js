// The host's view: every party with what is open about it, the escalations that reached the host
// (and every other step up a ladder), and lead-time compliance per party as a small bar chart,
// with the channels behind it in a table.
import { esc, hhmm, minutes, partyColour, partyName } from "./format.js";

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
  svg.setAttribute("aria-label", "lead-time compliance per party");
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

  escalationRow(e) {
    const s = this.app.state;
    const what = e.subject === "conflict" && this.app.tacticalById(e.subject_id) ? "tactical conflict" : e.subject;
    const ref = e.subject === "message" ? "" : `${e.subject}|${e.subject_id}`;
    return `<li class="${e.to_host ? "to-host" : ""}" data-ack="${esc(e.ack)}"${ref ? ` data-ref="${esc(ref)}" title="show on the map"` : ""}>${hhmm(e.at)} · <strong>${esc(partyName(s, e.party))}</strong> owes ${esc(what)} <code>${esc(e.subject_id)}</code> since ${hhmm(e.requested_at)} → ${esc(e.rung_name)} (rung ${e.rung})${e.to_host ? " <strong>reached the host</strong>" : e.next_due_at ? ` <span class="muted">(next at ${hhmm(e.next_due_at)})</span>` : ""}</li>`;
  }

  render() {
    const s = this.app.state;
    const channels = s.lead ? s.lead.channels : [];
    const steps = s.escalations;
    const atHost = steps.filter((e) => e.to_host);
    const tracks = s.tracks || [];
    this.el.innerHTML = `
      <h3>Parties</h3>
      <table class="parties"><thead><tr><th>id</th><th>name</th><th>lang</th><th>open conflicts</th><th>tactical</th><th>tracks</th><th>escalated</th></tr></thead><tbody>${s.mechanism.parties
        .map((p) => {
          const open = s.conflicts.filter((c) => c.state === "open" && (c.own.party === p.id || c.with.party === p.id)).length;
          const tactical = s.tactical.filter((c) => c.state === "open" && (c.a.party === p.id || c.b.party === p.id)).length;
          const live = tracks.filter((t) => t.party === p.id).length;
          const escalated = new Set(steps.filter((e) => e.party === p.id).map((e) => e.ack)).size;
          return `<tr data-party="${esc(p.id)}"><td><span class="swatch" style="background:${esc(partyColour(s, p.id))}"></span> ${esc(p.id)}</td><td>${esc(p.name)}</td><td>${esc(p.language)}</td><td>${open}</td><td>${tactical}</td><td>${live}</td><td>${escalated}</td></tr>`;
        })
        .join("")}</tbody></table>
      <h3>Escalations that reached the host (<span id="host-escalation-count">${atHost.length}</span>)</h3>
      <ul class="objects" id="escalations-host">${atHost.slice(0, 50).map((e) => this.escalationRow(e)).join("") || '<li class="empty">none</li>'}</ul>
      <h3>Every escalation step (${steps.length})</h3>
      <ul class="objects" id="escalations">${steps.slice(0, 50).map((e) => this.escalationRow(e)).join("") || '<li class="empty">none</li>'}</ul>
      <h3>Lead-time compliance per party</h3>
      <div id="lead-chart"></div>
      <table class="lead"><thead><tr><th>channel</th><th>notices</th><th>late</th><th>median</th><th>min</th></tr></thead><tbody>${channels
        .map((c) => `<tr><td>${esc(c.sender)} → ${esc(c.recipient)}</td><td>${c.notices}</td><td>${c.late}</td><td>${minutes(c.median_lead_time_s)}</td><td>${minutes(c.min_lead_time_s)}</td></tr>`)
        .join("")}</tbody></table>
      <p class="muted">Notices delivered to a counterparty count once per channel; a notice is late for a channel when it gave less than the channel's minimum lead time.</p>`;
    const rows = perParty(channels, s.mechanism.parties).map((r) => ({
      label: r.name,
      compliance: r.compliance,
      title: `${r.name}: ${r.notices - r.late} of ${r.notices} notices on time`,
    }));
    if (rows.length) this.el.querySelector("#lead-chart").append(complianceChart(rows));
  }
}
