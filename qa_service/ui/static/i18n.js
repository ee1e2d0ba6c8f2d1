/*
 * The page's own words in Dutch and English. The Dutch text is the key: ``t("Bronnen")`` gives
 * "Sources" when the page is in English. The language is the one chosen with the switch in
 * the header (kept in localStorage across reloads), else the browser's: Dutch for a browser
 * set to Dutch, English otherwise. Elements of index.html marked ``data-i18n`` (their text),
 * ``data-i18n-placeholder`` and ``data-i18n-label`` (aria-label) are translated in place.
 */
"use strict";

const LANG_KEY = "qa-lang";

const ENGLISH = {
  // index.html
  "Antwoorden met bronvermelding uit Kamerstukken": "Answers with sources from Dutch parliamentary papers",
  "Nieuw gesprek": "New conversation",
  "Stel een vraag over Kamerstukken": "Ask a question about Dutch parliamentary papers",
  "Vraag in het Nederlands of Engels. Elk antwoord bestaat uit letterlijke zinnen uit de documenten; klik op een bronnummer om de passage te lezen met de geciteerde zin gemarkeerd. Vervolgvragen (\u201cEn wat zei hij over \u2026?\u201d) gaan uit van de vorige vraag.":
    "Ask in Dutch or English. Every answer consists of sentences quoted from the documents; click a source number to read the passage with the quoted sentence highlighted. Follow-up questions (\u201cAnd what did he say about \u2026?\u201d) build on the previous question.",
  "Voorbeelden": "Examples",
  "Gesprek": "Conversation",
  "Wis filters": "Clear filters",
  "Zoek alleen in": "Search only in",
  "Alle dossiers": "All dossiers",
  "Soort document": "Document type",
  "Alle soorten": "All types",
  "Vergaderjaar": "Parliamentary year",
  "Alle jaren": "All years",
  "Datum vanaf": "Date from",
  "Datum tot en met": "Date up to and including",
  "Klaar": "Done",
  "Uw vraag": "Your question",
  "Stel een vraag \u2026": "Ask a question \u2026",
  "Vraag": "Ask",
  "Enter om te versturen, Shift+Enter voor een nieuwe regel.": "Enter to send, Shift+Enter for a new line.",
  "Taal": "Language",
  // app.js
  "Er ging iets mis": "Something went wrong",
  "De vraag is niet geldig: {detail}.": "The question is not valid: {detail}.",
  "onbekende fout": "unknown error",
  "De vraag is te groot voor de service. Maak haar korter.": "The question is too large for the service. Make it shorter.",
  "De service is nog niet klaar{why}. Probeer het zo opnieuw.": "The service is not ready yet{why}. Try again in a moment.",
  "Het taalmodel gaf geen antwoord{why}.": "The language model gave no answer{why}.",
  "De service gaf een fout (HTTP {status}{why}).": "The service returned an error (HTTP {status}{why}).",
  "Het antwoord bleef langer dan {seconds} seconden uit.": "No answer came for more than {seconds} seconds.",
  "De verbinding werd verbroken voordat het antwoord klaar was.": "The connection was lost before the answer was complete.",
  "Geen verbinding met de service. Controleer of de server draait.": "No connection to the service. Check that the server is running.",
  "Onverwacht antwoord van de service.": "Unexpected response from the service.",
  "Het antwoord kon niet worden gemaakt{why}.": "The answer could not be made{why}.",
  "Bezig met zoeken in de documenten \u2026": "Searching the documents \u2026",
  "Concept \u2013 nog niet gecontroleerd": "Draft \u2013 not yet verified",
  "{n} passages gevonden, het antwoord wordt geschreven \u2026": "{n} passages found, writing the answer \u2026",
  "Opnieuw proberen": "Try again",
  "Antwoord": "Answer",
  "Geen antwoord in de documenten": "No answer in the documents",
  "Bron {n}: {label}": "Source {n}: {label}",
  "Vervolgvraag, gezocht als: ": "Follow-up question, searched as: ",
  "Alleen gezocht in: {filters}": "Only searched in: {filters}",
  "Bronnen": "Sources",
  "Dichtstbijzijnde passages": "Closest passages",
  "Kopieer met bronnen": "Copy with sources",
  "Sluit de bron": "Close the source",
  "Offici\u00eble publicatie \u2197": "Official publication \u2197",
  "Geen link naar de offici\u00eble publicatie bekend": "No link to the official publication known",
  "Gemarkeerd: de geciteerde zin": "Highlighted: the quoted sentence",
  "Vraag: {question}": "Question: {question}",
  "Antwoord: {answer}": "Answer: {answer}",
  "Bronnen:": "Sources:",
  "Dichtstbijzijnde passages:": "Closest passages:",
  "Gekopieerd": "Copied",
  "Kopi\u00ebren lukte niet": "Copying failed",
  "vanaf {date}": "from {date}",
  "t/m {date}": "up to {date}",
  "U heeft het antwoord gestopt.": "You stopped the answer.",
  "Gestopt": "Stopped",
  "Service niet bereikbaar": "Service unreachable",
  "{n} documenten": "{n} documents",
  "Index wordt geladen \u2026": "Loading the index \u2026",
  "Index niet beschikbaar": "Index not available",
  "{n} filter actief": "{n} filter active",
  "{n} filters actief": "{n} filters active",
};

/** "nl" or "en": the switch's choice, else the browser's language. */
function pageLanguage() {
  let chosen = null;
  try {
    chosen = window.localStorage.getItem(LANG_KEY);
  } catch {
    // storage disabled: follow the browser
  }
  if (chosen === "nl" || chosen === "en") return chosen;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  return String(langs[0] || "").toLowerCase().startsWith("nl") ? "nl" : "en";
}

let currentLanguage = pageLanguage();

/** ``key`` (the Dutch text) in the page's language, with ``{name}`` filled from ``vars``. */
function t(key, vars) {
  let text = currentLanguage === "en" && ENGLISH[key] !== undefined ? ENGLISH[key] : key;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (all, name) => (vars[name] !== undefined ? String(vars[name]) : all));
  }
  return text;
}

/** The locale for numbers and dates. */
function pageLocale() {
  return currentLanguage === "en" ? "en-GB" : "nl-NL";
}

function translateStatic() {
  document.documentElement.lang = currentLanguage;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    if (!node.dataset.i18nKey) node.dataset.i18nKey = node.textContent.replace(/\s+/g, " ").trim();
    node.textContent = t(node.dataset.i18nKey);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    if (!node.dataset.i18nPlaceholderKey) node.dataset.i18nPlaceholderKey = node.placeholder;
    node.placeholder = t(node.dataset.i18nPlaceholderKey);
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    if (!node.dataset.i18nLabelKey) node.dataset.i18nLabelKey = node.getAttribute("aria-label") || "";
    node.setAttribute("aria-label", t(node.dataset.i18nLabelKey));
  }
  const toggle = document.getElementById("lang-switch");
  if (toggle) {
    // the button offers the other language
    toggle.textContent = currentLanguage === "en" ? "NL" : "EN";
    toggle.setAttribute("aria-label", currentLanguage === "en" ? "Nederlands" : "English");
    toggle.title = currentLanguage === "en" ? "Toon de pagina in het Nederlands" : "Show the page in English";
  }
}

/** Switch the page's language (kept across reloads); ``onLanguageChange`` hooks rerun. */
function setLanguage(lang) {
  currentLanguage = lang === "en" ? "en" : "nl";
  try {
    window.localStorage.setItem(LANG_KEY, currentLanguage);
  } catch {
    // not kept, but switched
  }
  translateStatic();
  for (const hook of languageHooks) hook(currentLanguage);
}

const languageHooks = [];

function onLanguageChange(hook) {
  languageHooks.push(hook);
}

translateStatic();
document.getElementById("lang-switch")?.addEventListener("click", () => {
  setLanguage(currentLanguage === "en" ? "nl" : "en");
});
