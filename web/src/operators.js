// The Operators panel, for admins: the operators of their party (the host's admins: every
// party's), who is active, revoked or expired; add one, rotate a token, revoke one. A new token
// is shown once, in the panel, to hand to its operator; the server keeps only its hash.
import { get, post } from "./api.js";
import { esc, partyName } from "./format.js";
import { t } from "./i18n.js";

function state(o) {
  if (o.revoked_at) return t("operators.revoked_at", { time: `${o.revoked_at.slice(0, 16).replace("T", " ")}Z` });
  return o.active ? t("operators.active") : t("operators.expired");
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
    await this.issue(() => post("/v1/operators", body), t("toast.operator_added", { operator: body.id }));
  }

  async act(action, operator) {
    if (action === "revoke") {
      if (!confirm(t("operators.confirm_revoke", { operator }))) return;
      try {
        await post(`/v1/operators/${encodeURIComponent(operator)}/revoke`);
        this.app.toast(t("toast.operator_revoked", { operator }));
        this.issued = null;
      } catch (err) {
        this.error = err.message;
      }
      await this.load();
    } else if (action === "rotate") {
      await this.issue(() => post(`/v1/operators/${encodeURIComponent(operator)}/rotate`), t("toast.operator_rotated", { operator }));
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
          <td><code>${esc(o.id)}</code></td><td>${esc(partyName(s, o.party))}</td><td>${esc(t(`role.${o.role}`))}</td>
          <td>${esc(state(o))}</td><td>${o.expires_at ? esc(o.expires_at.slice(0, 16).replace("T", " ")) + "Z" : esc(t("operators.never"))}</td>
          <td>${o.revoked_at ? "" : `<button type="button" data-action="rotate" data-operator="${esc(o.id)}">${esc(t("operators.new_token"))}</button>
          <button type="button" data-action="revoke" data-operator="${esc(o.id)}">${esc(t("operators.revoke"))}</button>`}</td></tr>`,
      )
      .join("");
    const issued = this.issued
      ? `<div class="issued" id="issued-token" data-operator="${esc(this.issued.operator.id)}">
          <strong>${esc(t("operators.token_of", { operator: this.issued.operator.id }))}</strong> (${esc(t(`role.${this.issued.operator.role}`))}) — ${esc(t("operators.shown_once"))}
          <code class="token">${esc(this.issued.token)}</code></div>`
      : "";
    this.el.innerHTML = `
      <h3>${esc(t("tab.operators"))}</h3>
      ${this.error ? `<p class="error" role="alert">${esc(this.error)}</p>` : ""}
      ${issued}
      <table class="operators"><thead><tr><th>${esc(t("operators.col.id"))}</th><th>${esc(t("operators.col.party"))}</th><th>${esc(t("operators.col.role"))}</th><th>${esc(t("operators.col.state"))}</th><th>${esc(t("operators.col.expires"))}</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>
      <form id="operator-form" class="operator-form">
        <h4>${esc(t("operators.add_heading"))}</h4>
        <label>${esc(t("operators.col.id"))} <input name="id" required pattern="[a-z0-9][a-z0-9_\\-]{0,63}" placeholder="alpha-night" dir="ltr"></label>
        <label>${esc(t("operators.col.role"))} <select name="role"><option value="viewer">${esc(t("operators.role_viewer"))}</option><option value="duty" selected>${esc(t("operators.role_duty"))}</option><option value="admin">${esc(t("operators.role_admin"))}</option></select></label>
        ${s.me.is_host ? `<label>${esc(t("operators.col.party"))} <select name="party">${parties.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("")}</select></label>` : ""}
        <label>${esc(t("operators.expires_after"))} <input name="hours" type="number" min="1" step="1"></label>
        <button type="submit" id="operator-add">${esc(t("operators.add"))}</button>
      </form>`;
  }
}
