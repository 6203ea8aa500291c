// The operator's signing key in the console: the top bar says whether this operator signs its
// writes and whether its key is loaded; a dialog loads the key from its PEM file, at sign-in
// when the server holds a key for the operator, and whenever the server refuses a write for
// want of a signature (the write is then sent again, signed). Declining never traps the
// operator: the dialog closes, the action can be tried again, and the console stays usable
// for everything that needs no signature.
import { currentSigningKey, get, onSignatureNeeded, setSigningKey } from "./api.js";
import { KeyFileError, loadSigningKey } from "./signing.js";

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
      return `The server refused the signature of this write (${err.problem.detail}). Load one of ${me.operator}'s active keys to send it again.`;
    return `Operator ${me.operator} signs its writes, and no key is loaded in this browser: the server refused the write. Load the key to send it again, signed.`;
  }

  /** Show the dialog; resolves true once a key is loaded, false when the operator declines. */
  open(why) {
    const me = this.app.state.me;
    $("keydialog-why").textContent =
      why || `Operator ${me.operator} signs every write (filing, acknowledging, messages) with its Ed25519 key. Load the key file to sign from this browser.`;
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
      error.textContent = "Choose the key file first.";
      return;
    }
    try {
      const registered = await get("/v1/ledger/operator-keys");
      const key = await loadSigningKey(await file.text(), this.app.state.me.operator, registered);
      setSigningKey(key);
      this.app.toast(`signing key ${key.keyId} loaded for this session`);
      this.close(true);
    } catch (err) {
      error.textContent = err instanceof KeyFileError ? err.message : `could not load the key: ${err.message}`;
    }
  }

  /** The top bar's key state: hidden for an operator that signs nothing and loaded none. */
  render() {
    const el = $("signing-state");
    const key = currentSigningKey();
    const signs = this.app.state && this.app.state.me.signing_key_ids.length > 0;
    el.hidden = !key && !signs;
    el.dataset.state = key ? "loaded" : "missing";
    el.textContent = key ? `signing · key ${key.keyId.slice(0, 8)}` : "key not loaded";
    el.title = key
      ? `Your writes are signed with key ${key.keyId} (held in this tab only; gone on sign-out or reload)`
      : "This operator signs its writes: click to load its key file";
  }

  /** At sign-in: offer the key at once when the server expects signed writes. */
  start() {
    this.render();
    if (this.app.state.me.signing_key_ids.length && !currentSigningKey()) this.open();
  }
}
