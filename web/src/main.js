// The console's entry point: sign-in, the shared state, the live stream that keeps it fresh,
// the UTC clock, the tabs and the keys that work everywhere.
import { ApiError, get, storeToken, storedToken } from "./api.js";
import { partyName } from "./format.js";
import { LiveStream } from "./stream.js";
import { ConsoleMap } from "./map.js";
import { Inbox } from "./inbox.js";
import { Filing } from "./filing.js";
import { Hotline } from "./hotline.js";
import { HostView } from "./host.js";
import { ObjectList } from "./objects.js";
import { LivePicture } from "./live.js";
import { Takeover } from "./takeover.js";
import { KeyDialog } from "./keys.js";
import { OperatorsPanel } from "./operators.js";
import { PartiesPanel } from "./parties.js";
import EVENT_TYPES from "./event-types.json";
import { loadWords, t } from "./i18n.js";
import { conflictName, messageName, noticeName, sideName, trackName, unseenName, zoneName } from "./names.js";
import { tacticalTitle } from "./tactical.js";

const $ = (id) => document.getElementById(id);
/** How long the first view waits for the first live picture before it fits without it, ms. */
const FIRST_VIEW_WAIT_MS = 4000;

/** The object a hotline thread is about (``notice:ID``, ``conflict:ID``); null for a thread
 * between parties. */
function threadRef(thread) {
  const cut = thread ? thread.indexOf(":") : -1;
  if (cut < 0) return null;
  const type = thread.slice(0, cut);
  return type === "notice" || type === "conflict" ? { type, id: thread.slice(cut + 1) } : null;
}

/** Which lists an event of each type may change. Under ``conflicts_only`` a counterparty's
 * notice or zone is visible only while it clashes, and an amendment that clears the clash
 * reaches the other side as the conflict's resolution alone: a conflict event reloads the
 * notices and zones too. */
function staleAfter(type) {
  if (type.startsWith("notice.")) return ["notices", "conflicts", "pending"];
  if (type.startsWith("zone.")) return ["zones", "conflicts", "pending"];
  if (type.startsWith("conflict.")) return ["notices", "zones", "conflicts", "pending"];
  if (type.startsWith("message.")) return ["messages", "pending"];
  if (type.startsWith("tactical.")) return ["tactical", "pending"];
  if (type === "ack.escalated") return ["pending", "escalations"];
  if (type.startsWith("incident.")) return ["incidents", "pending"];
  return [];
}

const CATCH_UP_MS = 5000;
/** Events older than the page by more than this are caught up, not news (ms). */

/**
 * Where this operator's console resumes its stream: strictly after the last event it handled
 * (kept in the browser per mechanism and operator, with the ledger's signing key), so that a
 * reload misses nothing and each event reaches the party (its delivery, R-LEAD-2). A seq kept
 * for another ledger (a new database, another server key) or beyond the ledger's head is
 * dropped: the stream then starts from now.
 * @returns {Promise<{after: string|null, remember: (id: string) => void}>}
 */
async function resumePoint(mechanism, me) {
  const key = `sharedsky.seen.${mechanism.mechanism}.${me.operator}`;
  let head = null;
  try {
    head = await get("/v1/ledger/checkpoint");
  } catch (err) {
    head = null; // no checkpoint yet (an empty ledger): nothing to resume
  }
  let after = null;
  try {
    const kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && head && kept.key_id === head.key_id && Number(kept.seq) <= head.seq) after = String(kept.seq);
  } catch (err) {
    after = null;
  }
  return {
    after,
    remember(id) {
      if (!head) return;
      try {
        localStorage.setItem(key, JSON.stringify({ seq: Number(id), key_id: head.key_id }));
      } catch (err) {
        /* private mode or full storage: the next load starts from now */
      }
    },
  };
}

class App {
  constructor() {
    this.state = null;
    this.stream = null;
    this.stale = new Set();
    this.timer = null;
    this.audio = null;
    this.signedOut = false;
  }

  async signIn(token) {
    storeToken(token);
    let me;
    try {
      me = await get("/v1/me");
    } catch (err) {
      storeToken(null);
      throw err;
    }
    await loadWords(me.language); // the party's language, before any panel is written
    const mechanism = await get("/v1/mechanism");
    const parties = new Map([mechanism.host, ...mechanism.parties].map((p) => [p.id, p]));
    this.state = {
      me,
      mechanism,
      parties,
      notices: [],
      zones: [],
      conflicts: [],
      tactical: [],
      tracks: [],
      pending: [],
      messages: [],
      incidents: [],
      titles: new Map(),
      callsigns: new Map(),
      escalations: [],
      lead: null,
      templates: null,
      eventCount: 0,
      checkpoints: [],
    };
    $("signin").hidden = true;
    $("console").hidden = false;
    $("mechanism").textContent = mechanism.mechanism;
    $("whoami").textContent = t(me.is_host ? "whoami.host" : "whoami", { name: me.name, operator: me.operator, role: t(`role.${me.role}`) });
    document.documentElement.dataset.party = me.party;
    document.documentElement.dataset.role = me.role;
    $("tab-host").hidden = !me.is_host;
    // the host files nothing for others; a viewer files nothing at all
    $("tab-file").hidden = me.is_host || me.role === "viewer";
    $("tab-operators").hidden = me.role !== "admin";
    if (!this.map) this.map = new ConsoleMap($("map"), (ref) => this.selectFromMap(ref));
    else this.map.translateDrawing(); // signed in again, perhaps in another language
    this.live = new LivePicture(this);
    this.map.live = this.live;
    this.live.tracks.onDrawn = () => {
      this.map.labels.schedule();
      this._firstView("tracks");
    };
    this.live.tactical.onDrawn = () => this.map.labels.schedule();
    this.firstView = { lists: false, tracks: false, done: false };
    setTimeout(() => this._firstView("tracks"), FIRST_VIEW_WAIT_MS); // no live picture: fit anyway
    this.takeover = new Takeover(this);
    if (!this.keys) this.keys = new KeyDialog(this);
    this.inbox = new Inbox(this, $("panel-inbox"));
    this.filing = new Filing(this, $("panel-file"));
    this.hotline = new Hotline(this, $("panel-hotline"));
    this.objects = new ObjectList(this, $("panel-lists"));
    this.parties = new PartiesPanel(this, $("panel-parties"));
    this.host = me.is_host ? new HostView(this, $("panel-host")) : null;
    this.operators = me.role === "admin" ? new OperatorsPanel(this, $("panel-operators")) : null;
    this.state.templates = await get(`/v1/templates?lang=${encodeURIComponent(me.language)}`);
    this.hotline.templatesLoaded();
    await this.map.ready;
    const resume = await resumePoint(mechanism, me);
    this.openedAt = Date.now();
    this.stream = new LiveStream(
      {
        onEvent: (event) => this.onEvent(event),
        onCheckpoint: (checkpoint) => this.onCheckpoint(checkpoint),
        onUnauthorized: () => this.signOut(),
        onOpen: () => this.refresh(["notices", "zones", "conflicts", "tactical", "pending", "messages", "incidents", "lead", "escalations"]),
        onSeen: (id) => resume.remember(id),
        onState: (state) => {
          $("stream-state").textContent = t(`stream.${state}`);
          $("stream-state").dataset.state = state;
        },
      },
      resume.after,
    );
    this.stream.start();
    this.live.start();
    this.keys.start();
  }

  /** Stop everything that calls the server (the stream, the live picture's poll, a pending
   * reload of the lists), forget the token, and reload. The old page runs on until the reload
   * commits (long on a slow network or a loaded machine): it must send nothing meanwhile, least
   * of all a request without a token, which the server would refuse (401). */
  signOut() {
    this.signedOut = true;
    if (this.stream) this.stream.stop();
    if (this.live) this.live.stop();
    clearTimeout(this.timer);
    storeToken(null);
    location.reload();
  }

  /** Keep the server's signed checkpoints (the last 100) as receipts of the ledger's state. */
  onCheckpoint(checkpoint) {
    const kept = this.state.checkpoints;
    kept.push(checkpoint);
    if (kept.length > 100) kept.shift();
    $("stream-state").title = t("stream.checkpoint", { seq: checkpoint.seq, hash: `${String(checkpoint.hash).slice(0, 12)}…`, time: checkpoint.time });
    document.body.dataset.checkpoint = String(checkpoint.seq);
  }

  onEvent(event) {
    // the event types of the wire schema (web/src/event-types.json, written by `make openapi`)
    if (typeof event.type !== "string" || !Object.hasOwn(EVENT_TYPES, event.type)) return;
    this.state.eventCount += 1;
    document.body.dataset.lastEvent = String(event.seq);
    // an event from before the page opened (a resume after a reload): the lists reload with
    // it, but it neither toasts nor takes the screen over again
    const live = Date.parse(event.time) >= this.openedAt - CATCH_UP_MS;
    this.objects.onEvent(event);
    this.refresh(this.staleAfter(event.type));
    if (!live) return;
    const p = event.payload || {};
    // named once the lists it changed are reloaded (a new conflict is not in them yet)
    if (event.type === "ack.escalated")
      this.announce(() =>
        t("toast.escalated", { party: partyName(this.state, p.party), subject: this.nameOf(p.subject, p.subject_id), rung: p.rung, rung_name: p.rung_name }),
      );
    if (event.type === "incident.filed" && p.from !== this.state.me.party)
      this.announce(() => t("toast.incident_arrived", { name: this.nameOf("incident", p.incident) }));
    if (event.type === "conflict.detected" && !this.state.me.is_host)
      this.announce(() => t("toast.conflict_detected", { name: this.nameOf("conflict", p.conflict) }));
    if (event.type.startsWith("tactical.")) {
      this.takeover.onTactical(event);
      if (event.type === "tactical.detected")
        this.toast(t("toast.tactical_detected", { category: t(`category.${p.kind}`), severity: t(`severity.${p.severity}`), a: this.sideOf(p.a, p.a_callsign), b: this.sideOf(p.b, p.b_callsign) }));
    }
  }

  /** Toast a line once the lists being reloaded are in (``line`` names objects from them). */
  announce(line) {
    this.announcements = [...(this.announcements || []), line];
  }

  /** A person's name for an object of the inbox, an escalation or an event: ``type`` notice,
   * zone, conflict (strategic or tactical) or message; never its id alone. */
  nameOf(type, id) {
    const s = this.state;
    if (type === "agreement") type = "notice"; // a request for agreement is about its notice
    if (type === "notice") {
      const n = s.notices.find((x) => x.id === id);
      return n ? noticeName(n, s) : unseenName("notice");
    }
    if (type === "zone") {
      const z = s.zones.find((x) => x.id === id);
      return z ? zoneName(z, s) : unseenName("zone");
    }
    if (type === "conflict") {
      const tactical = this.tacticalById(id);
      if (tactical) return tacticalTitle(tactical, s);
      const c = s.conflicts.find((x) => x.id === id);
      return c ? conflictName(c, s) : unseenName("conflict");
    }
    if (type === "message") {
      const m = s.messages.find((x) => x.id === id);
      return m ? messageName(m, s) : unseenName("message");
    }
    if (type === "incident") {
      const x = s.incidents.find((i) => i.id === id);
      return x ? this.objects.incidents.name(x) : unseenName("incident");
    }
    return unseenName("object");
  }

  /** One side of an event's payload (``[type, id, party]``): a track by its callsign (the
   * payload's ``a_callsign``/``b_callsign``, else the one the live picture last showed), a
   * notice or zone by its name. */
  sideOf(side, callsign = "") {
    if (!Array.isArray(side)) return "?";
    const [type, id, party] = side;
    if (type === "track" && id) return trackName(party, id, this.state, callsign);
    return sideName({ type, id, party }, this.state);
  }

  /** The lists an event of type ``type`` makes stale (the host's lead times too). */
  staleAfter(type) {
    const stale = staleAfter(type);
    if (this.state.me.is_host && stale.length) stale.push("lead");
    return stale;
  }

  /** Reload the named lists soon (several events in a burst cost one reload). */
  refresh(names) {
    if (this.signedOut) return;
    for (const name of names) this.stale.add(name);
    if (this.timer || !this.stale.size) return;
    this.timer = setTimeout(() => this._reload(), 80);
  }

  async _reload() {
    const names = [...this.stale];
    this.stale.clear();
    const s = this.state;
    const loads = {
      notices: async () => (s.notices = (await get("/v1/notices?limit=2000")).notices),
      zones: async () => (s.zones = (await get("/v1/zones")).zones),
      conflicts: async () => (s.conflicts = (await get("/v1/conflicts")).conflicts),
      tactical: async () => (s.tactical = (await get("/v1/conflicts?kind=tactical&state=open")).conflicts),
      escalations: async () => (s.escalations = s.me.is_host ? (await get("/v1/escalations")).escalations : []),
      pending: async () => (s.pending = (await get("/v1/acks/pending")).acknowledgements),
      messages: async () => (s.messages = (await get("/v1/messages?limit=500")).messages),
      incidents: async () => (s.incidents = (await get("/v1/incidents")).incidents),
      lead: async () => (s.lead = s.me.is_host ? await get("/v1/stats/lead-time") : null),
    };
    try {
      await Promise.all(names.map((n) => loads[n]()));
    } catch (err) {
      this.toast(t("toast.refresh_failed", { error: err.message }));
    }
    for (const n of s.notices) s.titles.set(n.id, n.title);
    for (const z of s.zones) s.titles.set(z.id, z.title);
    // the map's outlines change only with notices, zones and strategic conflicts
    if (names.some((n) => n === "notices" || n === "zones" || n === "conflicts")) this.render();
    else {
      this.live.tactical.render(s.tactical);
      this.renderLists();
    }
    this.timer = null;
    this._firstView("lists");
    const lines = this.announcements || [];
    this.announcements = [];
    for (const line of lines) this.toast(line());
    if (this.stale.size) this.refresh([]);
    else document.body.dataset.synced = String(Date.now());
  }

  /** Fit the first view once the lists and the first live picture (or its wait) are in. */
  _firstView(part) {
    const f = this.firstView;
    if (!f || f.done) return;
    f[part] = true;
    if (!f.lists || !f.tracks) return;
    f.done = true;
    this.map.fitFirstView(this.state);
  }

  /** Show an object anywhere it is chosen (inbox, lists, hotline, host view): pan the map to
   * it, highlight it and open its popup; ``details``: also its details in Objects. A conflict
   * id that names a tactical conflict is shown as one. */
  show(ref, { details = false } = {}) {
    if (ref.type === "incident") {
      this.objects.select(ref, { show: true }); // an incident has no outline: its details
      return;
    }
    const resolved = ref.type === "conflict" && this.tacticalById(ref.id) ? { type: "tactical", id: ref.id } : ref;
    if (details) this.objects.select(resolved, { show: true });
    else this.map.show(resolved);
  }

  render() {
    this.map.render(this.state);
    this.live.tactical.render(this.state.tactical);
    this.renderLists();
  }

  /** Re-render the side panels and the take-over from the state (not the map). */
  renderLists() {
    this.inbox.render();
    this.hotline.render();
    this.objects.render();
    if (this.host) this.host.render();
    this.takeover.render();
  }

  tacticalById(id) {
    return this.state.tactical.find((c) => c.id === id) || null;
  }

  /** A click on a map object: its details in the Objects panel (not while a shape is being
   * drawn or edited for filing). */
  selectFromMap(ref) {
    const drafting = this.tab === "file" && (this.map.map.pm.globalDrawModeEnabled() || this.filing.outline);
    this.objects.select(ref, { focus: false, show: !drafting });
  }

  /** Every second: countdowns, the take-over's sound, and — since no event tells a sender that
   * its message reached the recipient — a reload of the messages while one of the operator's
   * messages of the last 15 minutes is neither delivered nor acknowledged (every 2 s in its
   * first minute, then every 10 s). */
  tick() {
    this.inbox.tick();
    this.takeover.tick();
    this.live.tick();
    const s = this.state;
    const now = Date.now();
    const ages = s.messages
      .filter((m) => m.from === s.me.party && !m.delivered_at && !(m.acknowledgement && m.acknowledgement.status === "acknowledged"))
      .map((m) => now - Date.parse(m.sent_at))
      .filter((age) => age < 15 * 60e3);
    if (!ages.length) return;
    const every = Math.min(...ages) < 60e3 ? 2000 : 10000;
    if (now - (this.lastDeliveryPoll || 0) >= every) {
      this.lastDeliveryPoll = now;
      this.refresh(["messages"]);
    }
  }

  showTab(name) {
    if (name === "operators" && this.operators) this.operators.load();
    for (const tab of document.querySelectorAll("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== name;
    this.tab = name;
  }

  toast(text) {
    const el = $("toast");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (el.hidden = true), 4000);
  }

  /** A short alarm (two tones for a flash item, three quick high ones for a tactical warning);
   * returns false when the browser does not allow sound yet. */
  beep(kind = "flash") {
    try {
      if (!this.audio) this.audio = new AudioContext();
      if (this.audio.state === "suspended") this.audio.resume();
      const t = this.audio.currentTime;
      const tones = kind === "warning" ? [1320, 1320, 1320] : [880, 660];
      for (const [i, f] of tones.entries()) {
        const osc = this.audio.createOscillator();
        const gain = this.audio.createGain();
        osc.frequency.value = f;
        gain.gain.setValueAtTime(0.15, t + i * 0.18);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
        osc.connect(gain).connect(this.audio.destination);
        osc.start(t + i * 0.18);
        osc.stop(t + i * 0.18 + 0.17);
      }
      document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
      return true;
    } catch {
      return false;
    }
  }
}

function tickClock() {
  const now = new Date();
  $("utc-clock").textContent = `${now.toISOString().slice(0, 10)} ${now.toISOString().slice(11, 19)}Z`;
  $("takeover-clock").textContent = `${now.toISOString().slice(11, 19)}Z`; // the clock stays in sight
}

const typing = (target) => target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

function main() {
  // the sign-in page in the browser's language, if shipped; a refusal waits for those words
  // (a slow load once left the sign-in error showing its key, signin.invalid)
  const signInWords = loadWords(navigator.language);
  const app = new App();
  window.sharedsky = app;
  tickClock();
  setInterval(tickClock, 250);
  setInterval(() => app.state && app.tick(), 1000);
  $("signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("signin-error").textContent = "";
    app.audio = app.audio || new AudioContext(); // a user gesture: sound is allowed from now on
    try {
      await app.signIn($("token").value.trim());
    } catch (err) {
      await signInWords;
      $("signin-error").textContent = err instanceof ApiError && err.status === 401 ? t("signin.invalid") : err.message;
    }
  });
  $("signout").addEventListener("click", () => app.signOut());
  // an id is never a name, but it stays at hand: a copy button beside the object's name
  document.addEventListener(
    "click",
    (e) => {
      const button = e.target.closest("button[data-copy]");
      if (!button) return;
      e.stopPropagation();
      e.preventDefault();
      const id = button.dataset.copy;
      const done = () => app.toast(t("toast.copied", { id }));
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(id).then(done, () => app.toast(id));
      else app.toast(id); // no clipboard here (plain HTTP off loopback): the id shown to copy by hand
    },
    true,
  );
  // the hotline: choosing a thread about a notice or a conflict, its heading, or an "About"
  // shows that object on the map
  $("panel-hotline").addEventListener("click", (e) => {
    if (!app.state) return;
    const chosen = e.target.closest("li[data-thread]") || e.target.closest("#thread h3");
    if (!chosen) return;
    const ref = threadRef(chosen.dataset.thread || (app.hotline && app.hotline.thread));
    if (ref) app.show(ref);
  });
  $("panel-hotline").addEventListener("change", (e) => {
    if (!app.state || e.target.name !== "about" || !e.target.value) return;
    const ref = threadRef(e.target.value);
    if (ref) app.show(ref);
  });
  for (const tab of document.querySelectorAll("[data-tab]")) tab.addEventListener("click", () => app.showTab(tab.dataset.tab));
  // a party in the map's legend: its comms card in the Parties tab (captured: the legend keeps
  // its clicks from the map)
  const legendParty = (e) => {
    const row = app.state && app.parties ? e.target.closest("#map-legend [data-party]") : null;
    if (!row || (e.type === "keydown" && e.key !== "Enter" && e.key !== " ")) return;
    e.preventDefault();
    app.parties.show(row.dataset.party);
  };
  $("map").addEventListener("click", legendParty, true);
  $("map").addEventListener("keydown", legendParty, true);
  document.addEventListener("keydown", (e) => {
    if (!app.state) return;
    if (app.keys && app.keys.isOpen) {
      if (e.key === "Escape") app.keys.close(false);
      return; // the key dialog has the keyboard (above a take-over too)
    }
    if (app.takeover.key(e)) return;
    if (e.ctrlKey && e.key === "Enter" && app.tab === "hotline") {
      e.preventDefault();
      app.hotline.send();
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const tabs = { i: "inbox", f: "file", h: "hotline", o: "objects" };
    if (e.key === "c") {
      e.preventDefault();
      app.showTab("hotline");
      app.hotline.focusCompose();
    } else if (tabs[e.key]) {
      app.showTab(tabs[e.key] === "objects" ? "lists" : tabs[e.key]);
    } else if (app.tab === "inbox" || app.tab === undefined) {
      app.inbox.key(e);
    }
  });
  const token = storedToken();
  if (token)
    app.signIn(token).catch(() => {
      $("signin").hidden = false;
    });
}

main();
