// The console's own words in the operator's language: one catalogue per language, served by
// GET /v1/catalogues/console?lang=… from the gettext files the message templates ship beside
// (src/sharedsky/interop/locale/<lang>/LC_MESSAGES/console.po; English in console.pot). The
// server fills every key (English where a language lacks one), so a word is never missing
// here; tests/interop/test_console_words.py fails when a key used in web/src is not in the
// catalogue. Times stay UTC in every language.

let words = {};
let language = "en";
let dir = "ltr";
let asked = 0;

/** The word of ``key`` with its ``{name}`` placeholders filled from ``values`` (a name not
 * given stays as it is); the key itself when no catalogue is loaded yet. In a right-to-left
 * language each value is a bidirectional isolate (U+2068 … U+2069): a figure with its Latin
 * unit ("450 m", "0:56") or a Latin name ("VIPER 11") keeps its own order inside the Hebrew or
 * Arabic sentence, instead of the unit drifting away from its number. */
export function t(key, values = {}) {
  const pattern = Object.hasOwn(words, key) ? words[key] : key;
  const fill = dir === "rtl" ? (v) => `\u2068${v}\u2069` : (v) => v;
  return pattern.replace(/\{([a-z_]+)\}/g, (m, name) => (Object.hasOwn(values, name) ? fill(String(values[name])) : m));
}

/** Whether the loaded catalogue has a word for ``key`` (a key built from what the server
 * sends, such as a problem's code, may have none). */
export const hasWord = (key) => Object.hasOwn(words, key);

/** The loaded catalogue's language ("en", "tr", …) and writing direction ("ltr", "rtl"). */
export const currentLanguage = () => language;
export const currentDirection = () => dir;

/** Load the words of ``tag`` (a BCP 47 tag: the party's language, or the browser's before
 * sign-in), then put them on the page. Resolves false when the server cannot give them (the
 * page keeps the words it has). The last call wins: an answer to an earlier one that comes
 * late (the browser's language, asked before sign-in) is dropped. */
export async function loadWords(tag) {
  const ticket = ++asked;
  try {
    const answer = await fetch(`/v1/catalogues/console?lang=${encodeURIComponent(tag || "en")}`, { headers: { Accept: "application/json" } });
    if (!answer.ok) return false;
    const catalogue = await answer.json();
    if (ticket !== asked) return false;
    words = catalogue.words || {};
    language = catalogue.language || "en";
    dir = catalogue.direction === "rtl" ? "rtl" : "ltr";
  } catch {
    return false;
  }
  translatePage();
  return true;
}

/** Put the loaded words on the static page: ``data-i18n`` (text), ``data-i18n-title``,
 * ``data-i18n-placeholder`` and ``data-i18n-label`` (aria-label) name a key each; the
 * document takes the language and its direction, while the map stays left to right (a map is
 * not text: its controls and scale keep their corners). */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  if (root === document) {
    document.documentElement.lang = language;
    document.documentElement.dir = dir;
    document.title = t("page.title");
  }
}
