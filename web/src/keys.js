// The operator's signing key in the console: the top bar says whether this operator signs its
// writes and whether its key is loaded; a dialog loads the key from its PEM file, at sign-in
// when the server holds a key for the operator, and whenever the server refuses a write for
// want of a signature (the write is then sent again, signed). Declining never traps the
// operator: the dialog closes, the action can be tried again, and the console stays usable
// for everything that needs no signature.
import { currentSigningKey, get, onSignatureNeeded, setSigningKey } from "./api.js";
import { KeyFileError, loadSigningKey } from "./signing.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class KeyDialog {
  constructor(app) {
    this.app = app;
    this.el = $("keydialog");
    this.waiting = [];
    $("keydialog-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.load();
    });
    $("keydialog-cancel").addEventListener("click", () => this.close(false));
    $("signing-state").addEventListener("click", () => this.open());
    onSignatureNeeded((err) => this.open(this.reason(err)));
  }

  get isOpen() {
    return !this.el.hidden;
  }

  /** Why the dialog opened, from the server's refusal. */
  reason(err) {
    const me = this.app.state.me;
    if (err && err.problem && err.problem.code === "bad-signature")
      return t("key.bad_signature", { detail: err.problem.detail, operator: me.operator });
    return t("key.refused", { operator: me.operator });
  }

  /** Show the dialog; resolves true once a key is loaded, false when the operator declines. */
  open(why) {
    const me = this.app.state.me;
    $("keydialog-why").textContent =
      why || t("key.why", { operator: me.operator });
    $("keydialog-error").textContent = "";
    $("keyfile").value = "";
    this.el.hidden = false;
    $("keyfile").focus();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(loaded) {
    this.el.hidden = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(loaded);
    this.render();
  }

  async load() {
    const file = $("keyfile").files[0];
    const error = $("keydialog-error");
    if (!file) {
      error.textContent = t("key.choose_file");
      return;
    }
    try {
      const registered = await get("/v1/ledger/operator-keys");
      const key = await loadSigningKey(await file.text(), this.app.state.me.operator, registered);
      setSigningKey(key);
      this.app.toast(t("toast.key_loaded", { key: key.keyId.slice(0, 8) }));
      this.close(true);
    } catch (err) {
      error.textContent = err instanceof KeyFileError ? t(err.key, err.values) : t("key.load_failed", { error: err.message });
    }
  }

  /** The top bar's key state: hidden for an operator that signs nothing and loaded none. */
  render() {
    const el = $("signing-state");
    const key = currentSigningKey();
    const signs = this.app.state && this.app.state.me.signing_key_ids.length > 0;
    el.hidden = !key && !signs;
    el.dataset.state = key ? "loaded" : "missing";
    el.textContent = key ? t("key.state_loaded", { key: key.keyId.slice(0, 8) }) : t("key.state_missing");
    el.title = key ? t("key.state_loaded_title", { key: key.keyId }) : t("key.state_missing_title");
  }

  /** At sign-in: offer the key at once when the server expects signed writes. */
  start() {
    this.render();
    if (this.app.state.me.signing_key_ids.length && !currentSigningKey()) this.open();
  }
}
