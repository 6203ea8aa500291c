// The Operators panel, for admins: the operators of their party (the host's admins: every
// party's), who is active, revoked or expired; add one, rotate a token, revoke one. A new token
// is shown once, in the panel, to hand to its operator; the server keeps only its hash.
import { get, post } from "./api.js";
import { esc, partyName } from "./format.js";

function state(o) {
  if (o.revoked_at) return `revoked ${o.revoked_at.slice(0, 16).replace("T", " ")}Z`;
  return o.active ? "active" : "expired";
}

export class OperatorsPanel {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.operators = [];
    this.issued = null;
    this.el.addEventListener("submit", (e) => {
      e.preventDefault();
      this.add(new FormData(e.target));
    });
    this.el.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-action]");
      if (button) this.act(button.dataset.action, button.dataset.operator);
    });
  }

  async load() {
    try {
      this.operators = (await get("/v1/operators")).operators;
      this.error = "";
    } catch (err) {
      this.error = err.message;
    }
    this.render();
  }

  async add(form) {
    const s = this.app.state;
    const body = { id: String(form.get("id") || "").trim(), role: form.get("role") };
    if (s.me.is_host && form.get("party")) body.party = form.get("party");
    const hours = Number(form.get("hours"));
    if (hours > 0) body.expires_in_s = Math.round(hours * 3600);
    await this.issue(() => post("/v1/operators", body), `added ${body.id}`);
  }

  async act(action, operator) {
    if (action === "revoke") {
      if (!confirm(`Revoke ${operator}? Its token stops working at once, everywhere.`)) return;
      try {
        await post(`/v1/operators/${encodeURIComponent(operator)}/revoke`);
        this.app.toast(`revoked ${operator}`);
        this.issued = null;
      } catch (err) {
        this.error = err.message;
      }
      await this.load();
    } else if (action === "rotate") {
      await this.issue(() => post(`/v1/operators/${encodeURIComponent(operator)}/rotate`), `new token for ${operator}`);
    }
  }

  async issue(call, what) {
    try {
      this.issued = await call();
      this.error = "";
      this.app.toast(what);
    } catch (err) {
      this.error = err.message;
      this.issued = null;
    }
    await this.load();
  }

  render() {
    const s = this.app.state;
    const parties = [s.mechanism.host, ...s.mechanism.parties];
    const rows = this.operators
      .map(
        (o) => `<tr data-operator="${esc(o.id)}" class="${o.active ? "" : "inactive"}">
          <td><code>${esc(o.id)}</code></td><td>${esc(partyName(s, o.party))}</td><td>${esc(o.role)}</td>
          <td>${esc(state(o))}</td><td>${o.expires_at ? esc(o.expires_at.slice(0, 16).replace("T", " ")) + "Z" : "never"}</td>
          <td>${o.revoked_at ? "" : `<button type="button" data-action="rotate" data-operator="${esc(o.id)}">New token</button>
          <button type="button" data-action="revoke" data-operator="${esc(o.id)}">Revoke</button>`}</td></tr>`,
      )
      .join("");
    const issued = this.issued
      ? `<div class="issued" id="issued-token" data-operator="${esc(this.issued.operator.id)}">
          <strong>Token of ${esc(this.issued.operator.id)}</strong> (${esc(this.issued.operator.role)}) — shown once; hand it over now:
          <code class="token">${esc(this.issued.token)}</code></div>`
      : "";
    this.el.innerHTML = `
      <h3>Operators</h3>
      ${this.error ? `<p class="error" role="alert">${esc(this.error)}</p>` : ""}
      ${issued}
      <table class="operators"><thead><tr><th>id</th><th>party</th><th>role</th><th>state</th><th>expires</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>
      <form id="operator-form" class="operator-form">
        <h4>Add an operator</h4>
        <label>Id <input name="id" required pattern="[a-z0-9][a-z0-9_\\-]{0,63}" placeholder="alpha-night"></label>
        <label>Role <select name="role"><option value="viewer">viewer — reads</option><option value="duty" selected>duty — files, acknowledges, sends</option><option value="admin">admin — also manages operators</option></select></label>
        ${s.me.is_host ? `<label>Party <select name="party">${parties.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("")}</select></label>` : ""}
        <label>Expires after (hours, empty: never) <input name="hours" type="number" min="1" step="1"></label>
        <button type="submit" id="operator-add">Add and issue its token</button>
      </form>`;
  }
}
