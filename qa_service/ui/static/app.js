// The chat page. Plain JavaScript, no build step.
//
// Everything from the API (answers, passages, titles, URLs) is data: the DOM is built with
// createElement and textContent only, never innerHTML. The page's Content-Security-Policy
// forbids inline script as a second line of defence.
//
// Flow: submit -> createTurn() shows the question and a busy answer -> askStream() reads the
// Server-Sent Events of /api/ask/stream: renderDraft() shows the unverified text as it comes,
// then renderAnswer() draws the final answer object, or renderError() a readable error. The
// active filters (from /api/facets) go along with every question.
"use strict";

const API_ASK = "/api/ask";
const API_ASK_STREAM = "/api/ask/stream";
const API_FACETS = "/api/facets";
const API_HEALTH = "/health";
const TIMEOUT_MS = 90000; // give up when nothing arrives for this long: the page never hangs
const HISTORY_TURNS = 3; // earlier turns sent along for follow-up questions
const QUOTE_GAP = " \u2026 "; // joins several quoted sentences in a citation's quote

const conversation = document.getElementById("conversation");
const intro = document.getElementById("intro");
const form = document.getElementById("ask-form");
const input = document.getElementById("question");
const sendButton = document.getElementById("send");
const statusLine = document.getElementById("status");
const stopButton = document.getElementById("stop");

/** Finished turns ({question, answer}) for the follow-up history. */
let history = [];
let busy = false;
let facetsLoaded = false;

// -- small DOM helpers ------------------------------------------------------------------------

/** An element with a class and text; text is always set as text, never parsed as markup. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function button(className, text, label) {
  const b = el("button", className, text);
  b.type = "button";
  if (label) b.setAttribute("aria-label", label);
  return b;
}

/** Only http(s) links from the data become links (no javascript: or data: URLs). */
function safeUrl(url) {
  if (typeof url !== "string" || !url) return "";
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "";
  } catch {
    return "";
  }
}

// -- the API -----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, retry, label) {
    super(message);
    this.retry = retry; // whether trying again may help
    this.label = label || t("Er ging iets mis"); // the heading shown above the message
  }
}

/** The stream was stopped on purpose (the Stop button, a new conversation). */
class Stopped extends Error {}

/** A readable ApiError for an HTTP error ``status`` with the parsed JSON ``body`` (or null). */
function httpError(status, body) {
  const detail = body && typeof body.detail === "string" ? body.detail : "";
  if (status === 422) {
    return new ApiError(t("De vraag is niet geldig: {detail}.", { detail: detail || t("onbekende fout") }), false);
  }
  if (status === 413) {
    return new ApiError(t("De vraag is te groot voor de service. Maak haar korter."), false);
  }
  if (status === 503) {
    const why = detail ? ` (${detail})` : "";
    return new ApiError(t("De service is nog niet klaar{why}. Probeer het zo opnieuw.", { why }), true);
  }
  if (status === 502) {
    const why = detail ? `: ${detail}` : "";
    return new ApiError(t("Het taalmodel gaf geen antwoord{why}.", { why }), true);
  }
  const why = detail ? `: ${detail}` : "";
  return new ApiError(t("De service gaf een fout (HTTP {status}{why}).", { status, why }), true);
}

async function jsonOrNull(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * One question in flight: its AbortController and why it was aborted ("stop" by the user,
 * "timeout" when nothing arrived for TIMEOUT_MS). The timer restarts whenever data arrives,
 * so a long streamed answer is not cut off while text keeps coming.
 */
class InFlight {
  constructor() {
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    this.reason = "";
    this.timer = 0;
    this.alive();
  }

  alive() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.abort("timeout"), TIMEOUT_MS);
  }

  abort(reason) {
    if (!this.reason) this.reason = reason;
    clearTimeout(this.timer);
    this.controller.abort();
  }

  done() {
    clearTimeout(this.timer);
  }

  /** The error to show for a failed fetch or read. */
  failure(lost) {
    if (this.reason === "stop") return new Stopped("gestopt");
    if (this.reason === "timeout") {
      return new ApiError(t("Het antwoord bleef langer dan {seconds} seconden uit.", { seconds: TIMEOUT_MS / 1000 }), true);
    }
    return lost
      ? new ApiError(t("De verbinding werd verbroken voordat het antwoord klaar was."), true)
      : new ApiError(t("Geen verbinding met de service. Controleer of de server draait."), true);
  }
}

function post(url, body, request, accept) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: accept },
    body: JSON.stringify(body),
    signal: request.signal,
  });
}

/** POST /api/ask; resolves to the answer object or throws an ApiError with a readable text. */
async function askApi(body, request) {
  let response;
  let data;
  try {
    response = await post(API_ASK, body, request, "application/json");
    data = await jsonOrNull(response);
  } catch {
    throw request.failure(false);
  }
  if (response.ok && data && typeof data.answer === "string") return data;
  if (response.ok) throw new ApiError(t("Onverwacht antwoord van de service."), true);
  throw httpError(response.status, data);
}

/**
 * POST /api/ask/stream and read its Server-Sent Events (EventSource cannot POST, so the body
 * is read with a stream reader). ``onEvent(name, data)`` is called for ``citations`` and
 * ``delta``; resolves to the ``final`` answer object. Throws an ApiError for an ``error``
 * event, an HTTP error, a dropped connection or a stream that ends without ``final``; falls
 * back to /api/ask when the server has no stream endpoint (404/405 from an older server).
 */
async function askStream(body, request, onEvent) {
  let response;
  try {
    response = await post(API_ASK_STREAM, body, request, "text/event-stream");
  } catch {
    throw request.failure(false);
  }
  if (response.status === 404 || response.status === 405) {
    await response.body?.cancel().catch(() => {});
    request.alive();
    return askApi(body, request);
  }
  if (!response.ok) throw httpError(response.status, await jsonOrNull(response));
  const type = response.headers.get("content-type") || "";
  if (!type.startsWith("text/event-stream") || !response.body) {
    throw new ApiError(t("Onverwacht antwoord van de service."), true);
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      throw request.failure(true);
    }
    request.alive();
    buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
    buffer = buffer.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (!event) continue;
      if (event.name === "final") {
        if (event.data && typeof event.data.answer === "string") return event.data;
        throw new ApiError(t("Onverwacht antwoord van de service."), true);
      }
      if (event.name === "error") {
        const detail = event.data && typeof event.data.detail === "string" ? event.data.detail : "";
        throw new ApiError(
          t("Het antwoord kon niet worden gemaakt{why}.", { why: detail ? `: ${detail}` : "" }),
          true
        );
      }
      onEvent(event.name, event.data);
    }
    if (chunk.done) throw request.failure(true);
  }
}

/** One SSE block ("event: x" and "data: ..." lines) as {name, data}; null for comments. */
function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { name, data: JSON.parse(data.join("\n")) };
  } catch {
    return { name, data: null };
  }
}

// -- turns -------------------------------------------------------------------------------------

/** Add a question and its (busy) answer to the conversation; returns the turn. */
function createTurn(question) {
  const item = el("li", "turn");
  const q = el("div", "question");
  q.append(el("p", "question-text", question));
  const answer = el("article", "answer");
  item.append(q, answer);
  conversation.append(item);
  intro.hidden = true;
  const turn = { question, item, answer, data: null };
  renderBusy(turn);
  item.scrollIntoView({ block: "end" });
  return turn;
}

function renderBusy(turn) {
  const a = turn.answer;
  a.replaceChildren();
  a.className = "answer pending";
  a.setAttribute("aria-busy", "true");
  const dots = el("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  dots.append(el("span"), el("span"), el("span"));
  a.append(dots, el("span", "pending-text", t("Bezig met zoeken in de documenten \u2026")));
}

/**
 * The streamed text so far, muted and marked as not yet verified; ``passages`` is the number
 * of passages it is written from (the ``citations`` event). The final answer replaces it.
 */
function renderDraft(turn, text, passages) {
  const a = turn.answer;
  const shown = a.classList.contains("draft") && a.querySelector(".draft-text");
  if (shown && text) {
    shown.textContent = text; // the next delta: only the text changes
    return;
  }
  a.replaceChildren();
  a.className = "answer draft";
  a.setAttribute("aria-busy", "true");
  const label = el("p", "answer-label");
  const dots = el("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  dots.append(el("span"), el("span"), el("span"));
  label.append(dots, t("Concept \u2013 nog niet gecontroleerd"));
  a.append(label);
  if (text) a.append(el("p", "answer-text draft-text", text));
  else a.append(el("p", "pending-text", t("{n} passages gevonden, het antwoord wordt geschreven \u2026", { n: passages })));
}

function renderError(turn, error, retry) {
  const a = turn.answer;
  a.replaceChildren();
  a.className = "answer error";
  a.removeAttribute("aria-busy");
  a.setAttribute("role", "alert");
  a.append(el("p", "answer-label", error.label));
  a.append(el("p", "error-text", error.message));
  if (error.retry) {
    const again = button("button-quiet", t("Opnieuw proberen"));
    again.addEventListener("click", retry);
    const actions = el("div", "actions");
    actions.append(again);
    a.append(actions);
  }
}

/**
 * Draw an answer object ({question, answer, answerable, citations, search_query, timings_ms})
 * into a turn: the text with [n] buttons, the passage viewer, the sources and the actions.
 */
function renderAnswer(turn, data) {
  turn.data = data;
  const a = turn.answer;
  a.replaceChildren();
  a.removeAttribute("aria-busy");
  a.removeAttribute("role");
  const citations = Array.isArray(data.citations) ? data.citations : [];
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  a.className = data.answerable ? "answer" : "answer abstained";

  a.append(el("p", "answer-label", data.answerable ? t("Antwoord") : t("Geen antwoord in de documenten")));
  const text = el("p", "answer-text");
  const viewer = el("section", "passage");
  viewer.hidden = true;
  viewer.tabIndex = -1;
  const open = (n, opener) => openPassage(turn, viewer, byNumber.get(n), opener);

  // The answer text, with each [n] that has a citation as a button.
  const marker = /\[(\d+)\]/g;
  const answerText = String(data.answer || "");
  let last = 0;
  for (const match of answerText.matchAll(marker)) {
    const n = Number(match[1]);
    const citation = byNumber.get(n);
    if (!citation) continue;
    // a no-break space keeps the [n] on the line of the sentence it ends
    text.append(answerText.slice(last, match.index).replace(/ $/, "\u00a0"));
    const cite = button("cite", String(n), t("Bron {n}: {label}", { n, label: citation.citation || citation.title }));
    cite.dataset.n = String(n);
    cite.setAttribute("aria-expanded", "false");
    cite.addEventListener("click", () => open(n, cite));
    text.append(cite);
    last = match.index + match[0].length;
  }
  text.append(answerText.slice(last));
  a.append(text);

  if (data.search_query && data.search_query !== data.question) {
    const note = el("p", "searched");
    note.append(t("Vervolgvraag, gezocht als: "), el("q", "", data.search_query));
    a.append(note);
  }
  if (turn.filters) {
    a.append(el("p", "searched", t("Alleen gezocht in: {filters}", { filters: describeFilters(turn.filters) })));
  }
  a.append(viewer);

  if (citations.length) {
    const sources = el("section", "sources");
    const heading = data.answerable ? t("Bronnen") : t("Dichtstbijzijnde passages");
    sources.append(el("h3", "sources-label", heading));
    const list = el("ol", "source-list");
    for (const c of citations) {
      const item = el("li");
      const b = button("source");
      b.dataset.n = String(c.n);
      b.setAttribute("aria-expanded", "false");
      b.append(el("span", "source-n", c.n), el("span", "source-cite", c.citation || c.doc_id));
      const detail = [c.title, c.section].filter(Boolean).join(" \u00b7 ");
      if (detail) b.append(el("span", "source-detail", detail));
      b.addEventListener("click", () => open(c.n, b));
      item.append(b);
      list.append(item);
    }
    sources.append(list);
    a.append(sources);
  }

  const actions = el("div", "actions");
  const copy = button("button-quiet", t("Kopieer met bronnen"));
  copy.addEventListener("click", () => copyAnswer(data, copy));
  actions.append(copy);
  const ms = data.timings_ms && data.timings_ms.total;
  if (typeof ms === "number") {
    const seconds = (ms / 1000).toLocaleString(pageLocale(), {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    actions.append(el("span", "timing", `${seconds} s`));
  }
  a.append(actions);
}

// -- the passage viewer -----------------------------------------------------------------------

/** Show citation ``c`` in the turn's viewer (or close it when it is already shown). */
function openPassage(turn, viewer, c, opener) {
  if (!c) return;
  const buttons = turn.answer.querySelectorAll("button[data-n]");
  if (!viewer.hidden && viewer.dataset.n === String(c.n)) {
    closePassage(turn, viewer, opener);
    return;
  }
  for (const b of buttons) {
    const on = b.dataset.n === String(c.n);
    b.classList.toggle("active", on);
    b.setAttribute("aria-expanded", String(on));
  }
  viewer.replaceChildren();
  viewer.dataset.n = String(c.n);
  viewer.setAttribute("aria-label", `Bron ${c.n}`);

  const head = el("header", "passage-head");
  const titles = el("div", "passage-titles");
  titles.append(el("h4", "passage-title", c.title || c.citation));
  const meta = [c.citation, c.section].filter(Boolean).join(" \u00b7 ");
  titles.append(el("p", "passage-meta", meta));
  const close = button("passage-close", "\u00d7", t("Sluit de bron"));
  close.addEventListener("click", () => closePassage(turn, viewer, opener));
  head.append(el("span", "passage-n", c.n), titles, close);

  const body = el("blockquote", "passage-text");
  appendHighlighted(body, String(c.text || ""), String(c.quote || ""));

  const foot = el("div", "passage-foot");
  const href = safeUrl(c.url);
  if (href) {
    const link = el("a", "official", t("Officiële publicatie \u2197"));
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    foot.append(link);
  } else {
    foot.append(el("span", "no-link", t("Geen link naar de officiële publicatie bekend")));
  }
  if (c.quote) foot.append(el("span", "legend", t("Gemarkeerd: de geciteerde zin")));

  viewer.append(head, body, foot);
  viewer.hidden = false;
  viewer.onkeydown = (event) => {
    if (event.key === "Escape") closePassage(turn, viewer, opener);
  };
  viewer.focus({ preventScroll: true });
  viewer.scrollIntoView({ block: "nearest", behavior: "smooth" });
  const first = body.querySelector("mark"); // a long passage scrolls to the quote
  if (first && body.scrollHeight > body.clientHeight) body.scrollTop = first.offsetTop - 24;
}

function closePassage(turn, viewer, opener) {
  viewer.hidden = true;
  viewer.dataset.n = "";
  for (const b of turn.answer.querySelectorAll("button[data-n]")) {
    b.classList.remove("active");
    b.setAttribute("aria-expanded", "false");
  }
  if (opener) opener.focus();
}

/** Append ``text`` to ``parent`` with each part of ``quote`` found in it wrapped in <mark>. */
function appendHighlighted(parent, text, quote) {
  const ranges = [];
  for (const part of quote.split(QUOTE_GAP)) {
    const wanted = part.trim();
    if (!wanted) continue;
    let start = text.indexOf(wanted);
    let end = start + wanted.length;
    if (start < 0) {
      // the same words with other white space between them
      const words = wanted.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const found = new RegExp(words.join("\\s+")).exec(text);
      if (!found) continue;
      start = found.index;
      end = start + found[0].length;
    }
    ranges.push([start, end]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue; // overlaps the previous mark
    parent.append(text.slice(at, start), el("mark", "", text.slice(start, end)));
    at = end;
  }
  parent.append(text.slice(at));
}

// -- copying ---------------------------------------------------------------------------------

/** The answer with its sources as plain text, for pasting into a memo. */
function answerAsText(data) {
  const lines = [t("Vraag: {question}", { question: data.question }), "", t("Antwoord: {answer}", { answer: data.answer })];
  const citations = Array.isArray(data.citations) ? data.citations : [];
  if (citations.length) {
    lines.push("", data.answerable ? t("Bronnen:") : t("Dichtstbijzijnde passages:"));
    for (const c of citations) {
      const parts = [c.citation, c.title, c.section].filter(Boolean).join(", ");
      lines.push(`[${c.n}] ${parts}${c.url ? ` \u2013 ${c.url}` : ""}`);
      if (c.quote) lines.push(`    \u201c${c.quote}\u201d`);
    }
  }
  return lines.join("\n");
}

async function copyAnswer(data, trigger) {
  const text = answerAsText(data);
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // not a secure context or no permission: fall back to a selected text area
    const area = el("textarea", "visually-hidden");
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
  }
  const label = trigger.textContent;
  trigger.textContent = ok ? t("Gekopieerd") : t("Kopiëren lukte niet");
  setTimeout(() => {
    trigger.textContent = label;
  }, 2000);
}

// -- filters ---------------------------------------------------------------------------------

const filterToggle = document.getElementById("filter-toggle");
const filterPanel = document.getElementById("filter-panel");
const filterSummary = document.getElementById("filter-summary");
const filterClear = document.getElementById("filter-clear");
const filterFields = {
  dossier: document.getElementById("filter-dossier"),
  doc_type: document.getElementById("filter-doc-type"),
  vergaderjaar: document.getElementById("filter-vergaderjaar"),
  date_from: document.getElementById("filter-date-from"),
  date_to: document.getElementById("filter-date-to"),
};
const OPTION_CHARS = 70; // a long dossier title is cut in its option

/** The chosen filters as the API's ``filters`` object, or null when none is chosen. */
function activeFilters() {
  const filters = {};
  for (const [name, field] of Object.entries(filterFields)) {
    const value = field.value.trim();
    if (value) filters[name] = value;
  }
  return Object.keys(filters).length ? filters : null;
}

/** A short text for a ``filters`` object: "dossier 36410 · motie · vanaf 2024-01-01". */
function describeFilters(filters) {
  const parts = [];
  if (filters.dossier) parts.push(`dossier ${filters.dossier}`);
  if (filters.doc_type) parts.push(filters.doc_type);
  if (filters.vergaderjaar) parts.push(`vergaderjaar ${filters.vergaderjaar}`);
  if (filters.date_from) parts.push(t("vanaf {date}", { date: filters.date_from }));
  if (filters.date_to) parts.push(t("t/m {date}", { date: filters.date_to }));
  return parts.join(" \u00b7 ");
}

function showFilters() {
  const filters = activeFilters();
  filterSummary.textContent = filters ? describeFilters(filters) : "";
  filterClear.hidden = !filters;
  filterToggle.classList.toggle("on", Boolean(filters));
}

function openFilters(open) {
  filterPanel.hidden = !open;
  filterToggle.setAttribute("aria-expanded", String(open));
  if (open) filterFields.dossier.focus();
}

function clip(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}\u2026` : text;
}

function fillSelect(select, items, value, label) {
  const keep = select.value;
  const first = select.options[0]; // "alle ..."
  select.replaceChildren(first);
  for (const item of Array.isArray(items) ? items : []) {
    const v = item && typeof item[value] === "string" ? item[value] : "";
    if (!v) continue;
    const option = el("option", "", `${clip(label(item), OPTION_CHARS)} (${item.documents})`);
    option.value = v;
    select.append(option);
  }
  select.value = keep;
  if (select.value !== keep) select.value = "";
}

/** Fill the filter choices from /api/facets; hides the filters when the server has none. */
async function loadFacets() {
  let response;
  let facets;
  try {
    response = await fetch(API_FACETS, { headers: { Accept: "application/json" } });
    facets = await jsonOrNull(response);
  } catch {
    return false;
  }
  if (response.status === 404) {
    filterToggle.parentElement.hidden = true;
    return true;
  }
  if (!response.ok || !facets) return false;
  fillSelect(filterFields.dossier, facets.dossiers, "dossier", (d) =>
    d.dossier_title ? `${d.dossier} \u2013 ${d.dossier_title}` : d.dossier
  );
  fillSelect(filterFields.doc_type, facets.doc_types, "doc_type", (d) => d.doc_type);
  fillSelect(filterFields.vergaderjaar, facets.vergaderjaren, "vergaderjaar", (d) => d.vergaderjaar);
  for (const field of [filterFields.date_from, filterFields.date_to]) {
    if (typeof facets.date_from === "string" && facets.date_from) field.min = facets.date_from;
    if (typeof facets.date_to === "string" && facets.date_to) field.max = facets.date_to;
  }
  showFilters();
  return true;
}

filterToggle.addEventListener("click", () => openFilters(filterPanel.hidden));
filterPanel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    openFilters(false);
    filterToggle.focus();
  }
});
for (const field of Object.values(filterFields)) field.addEventListener("change", showFilters);
filterClear.addEventListener("click", () => {
  for (const field of Object.values(filterFields)) field.value = "";
  showFilters();
  input.focus();
});
document.getElementById("filter-done").addEventListener("click", () => {
  openFilters(false);
  input.focus();
});

// -- asking ----------------------------------------------------------------------------------

/** The question in flight (an InFlight), or null. */
let current = null;

function setBusy(on) {
  busy = on;
  form.setAttribute("aria-busy", String(on));
  sendButton.disabled = on;
  sendButton.classList.toggle("busy", on);
  stopButton.hidden = !on;
}

async function ask(question, turn, turns, filters) {
  const request = new InFlight();
  current = request;
  setBusy(true);
  const body = { question, history: turns };
  if (filters) body.filters = filters;
  let passages = 0;
  let draft = "";
  try {
    const data = await askStream(body, request, (name, event) => {
      if (name === "citations" && event && Array.isArray(event.citations)) {
        passages = event.citations.length;
        renderDraft(turn, draft, passages);
      } else if (name === "delta" && event && typeof event.text === "string") {
        draft += event.text;
        renderDraft(turn, draft, passages);
      }
    });
    renderAnswer(turn, data);
    history.push({ question, answer: String(data.answer || "") });
  } catch (err) {
    const again = () => {
      if (busy) return;
      renderBusy(turn);
      ask(question, turn, turns, filters);
    };
    if (err instanceof Stopped) {
      renderError(turn, new ApiError(t("U heeft het antwoord gestopt."), true, t("Gestopt")), again);
      turn.answer.classList.add("stopped");
      turn.answer.removeAttribute("role");
    } else {
      const error = err instanceof ApiError ? err : new ApiError(String(err), true);
      renderError(turn, error, again);
    }
  } finally {
    request.done();
    if (current === request) {
      current = null;
      setBusy(false);
      turn.item.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }
}

/** Stop the question in flight; the page is usable again at once. */
function stop() {
  if (!current) return;
  current.abort("stop");
  current = null;
  setBusy(false);
}

function submit() {
  const question = input.value.trim();
  if (!question || busy) return;
  input.value = "";
  autosize();
  const turns = history.slice(-HISTORY_TURNS);
  const filters = activeFilters();
  const turn = createTurn(question);
  turn.filters = filters;
  ask(question, turn, turns, filters);
}

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
input.addEventListener("input", autosize);

for (const example of document.querySelectorAll(".example")) {
  example.addEventListener("click", () => {
    input.value = example.textContent;
    submit();
  });
}

stopButton.addEventListener("click", () => {
  stop();
  input.focus();
});

document.getElementById("new-chat").addEventListener("click", () => {
  stop();
  history = [];
  conversation.replaceChildren();
  intro.hidden = false;
  showStatus();
  input.focus();
});

/** The service's state in the top bar: documents indexed, still loading, or unreachable. */
async function showStatus() {
  let text = t("Service niet bereikbaar");
  let state = "down";
  try {
    const response = await fetch(API_HEALTH, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (response.ok && body.status === "ok") {
      text = t("{n} documenten", { n: Number(body.documents).toLocaleString(pageLocale()) });
      state = "ok";
    } else if (body.status === "loading") {
      text = t("Index wordt geladen \u2026");
      state = "loading";
    } else {
      text = t("Index niet beschikbaar");
    }
  } catch {
    // keep "niet bereikbaar"
  }
  statusLine.textContent = text;
  statusLine.dataset.state = state;
  if (state === "ok" && !facetsLoaded) facetsLoaded = await loadFacets();
  if (state === "loading") setTimeout(showStatus, 3000);
}

// "/" anywhere outside a text field puts the cursor in the question box.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    input.focus();
  }
});

onLanguageChange(() => {
  showStatus();
  showFilters();
});

showStatus();
input.focus();
