// The Parties tab: every party of the mechanism and the host, each in its colour, with its comms
// card from the mechanism file (GET /v1/mechanism ``comms``): frequencies with their labels,
// phone lines, the languages spoken on them and the hours they are manned — how to reach the
// other side when sharedsky is not enough. A party in the map's legend opens its card here.
import { esc, partyColour } from "./format.js";
import { t } from "./i18n.js";

/** A language's name in the reader's language ("tr" → "Turkish" for an English reader), the
 * tag itself where the browser cannot name it. */
function languageName(tag, reader) {
  try {
    return new Intl.DisplayNames([reader], { type: "language" }).of(tag) || tag;
  } catch {
    return tag;
  }
}

/** A frequency as it is spoken: three decimals, in MHz (121.500). */
function mhz(value) {
  return `${Number(value).toFixed(3)} MHz`;
}

export class PartiesPanel {
  constructor(app, element) {
    this.app = app;
    this.el = element;
    this.render();
  }

  render() {
    const s = this.app.state;
    const all = [...s.mechanism.parties, s.mechanism.host];
    this.el.innerHTML = `<h3>${esc(t("parties.heading"))}</h3>${all.map((p) => this.cardHtml(p)).join("")}`;
  }

  cardHtml(party) {
    const s = this.app.state;
    const reader = s.me.language;
    const marks = [party.id === s.me.party ? t("legend.you") : "", party.id === s.mechanism.host.id ? t("legend.host") : ""].filter(Boolean);
    const head = `<h4><span class="swatch" style="background:${esc(partyColour(s, party.id))}"></span> ${esc(party.name)}${marks.length ? ` <span class="muted">${esc(marks.join(" · "))}</span>` : ""}</h4>
      <p class="muted">${esc(t("parties.language", { language: languageName(party.language, reader) }))}</p>`;
    const card = party.comms;
    if (!card) return `<section class="party-card" data-party="${esc(party.id)}">${head}<p class="muted comms-none">${esc(t("comms.none"))}</p></section>`;
    const rows = [];
    if (card.frequencies.length) {
      rows.push([t("comms.frequencies"), card.frequencies.map((f) => `<li data-comms="frequency"><span>${esc(f.label)}</span> <bdi class="mono" dir="ltr">${esc(mhz(f.mhz))}</bdi></li>`).join("")]);
    }
    if (card.phones.length) {
      rows.push([t("comms.phones"), card.phones.map((p) => `<li data-comms="phone"><span>${esc(p.label)}</span> <a class="mono" dir="ltr" href="tel:${esc(p.number.replace(/[ -]/g, ""))}">${esc(p.number)}</a></li>`).join("")]);
    }
    if (card.languages.length) {
      rows.push([t("comms.languages"), card.languages.map((l) => `<li data-comms="language">${esc(languageName(l, reader))} <span class="muted">(${esc(l)})</span></li>`).join("")]);
    }
    if (card.hours) rows.push([t("comms.hours"), `<li data-comms="hours"><bdi dir="ltr">${esc(card.hours)}</bdi></li>`]);
    return `<section class="party-card" data-party="${esc(party.id)}">${head}<dl class="comms">${rows.map(([name, items]) => `<dt>${esc(name)}</dt><dd><ul>${items}</ul></dd>`).join("")}</dl></section>`;
  }

  /** Open the tab on one party's card (from the map's legend). */
  show(partyId) {
    this.app.showTab("parties");
    const card = this.el.querySelector(`.party-card[data-party="${CSS.escape(partyId)}"]`);
    for (const other of this.el.querySelectorAll(".party-card.selected")) other.classList.remove("selected");
    if (card) {
      card.classList.add("selected");
      card.scrollIntoView({ block: "nearest" });
    }
  }
}
