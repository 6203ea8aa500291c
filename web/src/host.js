// The host's view: every party, the escalations that reached the host, and lead-time
// compliance per channel as a small bar chart.
import { esc, hhmm, minutes, partyName } from "./format.js";


const SVG = "http://www.w3.org/2000/svg";

/** Horizontal bars: one per channel, compliance 0–100 %. Built with DOM calls (no HTML). */
export function complianceChart(channels, state) {
  const rowH = 22;
  const width = 380;
  const labelW = 120;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rowH * channels.length + 18}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "lead-time compliance per channel");
  channels.forEach((c, i) => {
    const y = i * rowH + 4;
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", "0");
    label.setAttribute("y", String(y + 13));
    label.textContent = `${c.sender} → ${c.recipient}`.slice(0, 24);
    const back = document.createElementNS(SVG, "rect");
    back.setAttribute("x", String(labelW));
    back.setAttribute("y", String(y));
    back.setAttribute("width", String(width - labelW - 40));
    back.setAttribute("height", "16");
    back.setAttribute("class", "bar-back");
    const bar = document.createElementNS(SVG, "rect");
    const share = c.compliance === null ? 0 : c.compliance;
    bar.setAttribute("x", String(labelW));
    bar.setAttribute("y", String(y));
    bar.setAttribute("width", String((width - labelW - 40) * share));
    bar.setAttribute("height", "16");
    bar.setAttribute("class", share >= 0.95 ? "bar good" : share >= 0.8 ? "bar fair" : "bar poor");
    const value = document.createElementNS(SVG, "text");
    value.setAttribute("x", String(width - 36));
    value.setAttribute("y", String(y + 13));
    value.textContent = c.compliance === null ? "–" : `${Math.round(c.compliance * 100)}%`;
    svg.append(label, back, bar, value);
  });
  return svg;
}

export class HostView {
  constructor(app, element) {
    this.app = app;
    this.el = element;
  }

  render() {
    const s = this.app.state;
    const channels = s.lead ? s.lead.channels : [];
    const esc_ = s.escalations.slice(0, 50);
    this.el.innerHTML = `
      <h3>Parties</h3>
      <table class="parties"><thead><tr><th>id</th><th>name</th><th>lang</th><th>open conflicts</th></tr></thead><tbody>${s.mechanism.parties
        .map((p) => {
          const open = s.conflicts.filter((c) => c.state === "open" && (c.own.party === p.id || c.with.party === p.id)).length;
          return `<tr><td>${esc(p.id)}</td><td>${esc(p.name)}</td><td>${esc(p.language)}</td><td>${open}</td></tr>`;
        })
        .join("")}</tbody></table>
      <h3>Escalations (${s.escalations.length})</h3>
      <ul class="objects" id="escalations">${esc_
        .map((e) => `<li>${hhmm(e.time)} · ${esc(partyName(s, e.payload.party))}: ${esc(e.payload.subject)} <code>${esc(e.payload.subject_id)}</code> → ${esc(e.payload.rung_name)}${e.payload.to_host ? " <strong>(host)</strong>" : ""}</li>`)
        .join("") || '<li class="empty">none</li>'}</ul>
      <h3>Lead-time compliance</h3>
      <div id="lead-chart"></div>
      <table class="lead"><thead><tr><th>channel</th><th>notices</th><th>late</th><th>median</th><th>min</th></tr></thead><tbody>${channels
        .map((c) => `<tr><td>${esc(c.sender)} → ${esc(c.recipient)}</td><td>${c.notices}</td><td>${c.late}</td><td>${minutes(c.median_lead_time_s)}</td><td>${minutes(c.min_lead_time_s)}</td></tr>`)
        .join("")}</tbody></table>`;
    if (channels.length) this.el.querySelector("#lead-chart").append(complianceChart(channels, s));
  }
}
