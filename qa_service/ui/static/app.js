// The chat page. Plain JavaScript, no build step.
//
// Everything from the API (answers, passages, titles, URLs) is data: the DOM is built with
// createElement and textContent only, never innerHTML. The page's Content-Security-Policy
// forbids inline script as a second line of defence.
//
// Flow: submit -> createTurn() shows the question and a busy answer -> askApi() -> renderAnswer()
// or renderError(). renderAnswer() draws a whole answer object and may be called again on the
// same turn (a streaming client can call it with a growing answer).
"use strict";

const API_ASK = "/api/ask";
const API_HEALTH = "/health";
const TIMEOUT_MS = 90000; // give up on an answer after this long: the page never hangs
const HISTORY_TURNS = 3; // earlier turns sent along for follow-up questions
const QUOTE_GAP = " \u2026 "; // joins several quoted sentences in a citation's quote

const conversation = document.getElementById("conversation");
const intro = document.getElementById("intro");
const form = document.getElementById("ask-form");
const input = document.getElementById("question");
const sendButton = document.getElementById("send");
const statusLine = document.getElementById("status");

/** Finished turns ({question, answer}) for the follow-up history. */
let history = [];
let busy = false;

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
  constructor(message, retry) {
    super(message);
    this.retry = retry; // whether trying again may help
  }
}

/** POST a question; resolves to the answer object or throws an ApiError with a readable text. */
async function askApi(question, turns) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(API_ASK, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ question, history: turns }),
      signal: controller.signal,
    });
  } catch (err) {
    if (err.name === "AbortError") {
      throw new ApiError(`Het antwoord bleef langer dan ${TIMEOUT_MS / 1000} seconden uit.`, true);
    }
    throw new ApiError("Geen verbinding met de service. Controleer of de server draait.", true);
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body && typeof body.answer === "string") return body;
  const detail = body && typeof body.detail === "string" ? body.detail : "";
  if (response.status === 422) {
    throw new ApiError(`De vraag is niet geldig: ${detail || "onbekende fout"}.`, false);
  }
  if (response.status === 503) {
    const why = detail ? ` (${detail})` : "";
    throw new ApiError(`De service is nog niet klaar${why}. Probeer het zo opnieuw.`, true);
  }
  if (response.ok) throw new ApiError("Onverwacht antwoord van de service.", true);
  const why = detail ? `: ${detail}` : "";
  throw new ApiError(`De service gaf een fout (HTTP ${response.status}${why}).`, true);
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
  a.append(dots, el("span", "pending-text", "Bezig met zoeken in de documenten \u2026"));
}

function renderError(turn, error, retry) {
  const a = turn.answer;
  a.replaceChildren();
  a.className = "answer error";
  a.removeAttribute("aria-busy");
  a.setAttribute("role", "alert");
  a.append(el("p", "answer-label", "Er ging iets mis"));
  a.append(el("p", "error-text", error.message));
  if (error.retry) {
    const again = button("button-quiet", "Opnieuw proberen");
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

  a.append(el("p", "answer-label", data.answerable ? "Antwoord" : "Geen antwoord in de documenten"));
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
    const cite = button("cite", String(n), `Bron ${n}: ${citation.citation || citation.title}`);
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
    note.append("Vervolgvraag, gezocht als: ", el("q", "", data.search_query));
    a.append(note);
  }
  a.append(viewer);

  if (citations.length) {
    const sources = el("section", "sources");
    const heading = data.answerable ? "Bronnen" : "Dichtstbijzijnde passages";
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
  const copy = button("button-quiet", "Kopieer met bronnen");
  copy.addEventListener("click", () => copyAnswer(data, copy));
  actions.append(copy);
  const ms = data.timings_ms && data.timings_ms.total;
  if (typeof ms === "number") {
    const seconds = (ms / 1000).toLocaleString("nl-NL", {
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
  const close = button("passage-close", "\u00d7", "Sluit de bron");
  close.addEventListener("click", () => closePassage(turn, viewer, opener));
  head.append(el("span", "passage-n", c.n), titles, close);

  const body = el("blockquote", "passage-text");
  appendHighlighted(body, String(c.text || ""), String(c.quote || ""));

  const foot = el("div", "passage-foot");
  const href = safeUrl(c.url);
  if (href) {
    const link = el("a", "official", "Officiële publicatie \u2197");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    foot.append(link);
  } else {
    foot.append(el("span", "no-link", "Geen link naar de officiële publicatie bekend"));
  }
  if (c.quote) foot.append(el("span", "legend", "Gemarkeerd: de geciteerde zin"));

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
  const lines = [`Vraag: ${data.question}`, "", `Antwoord: ${data.answer}`];
  const citations = Array.isArray(data.citations) ? data.citations : [];
  if (citations.length) {
    lines.push("", data.answerable ? "Bronnen:" : "Dichtstbijzijnde passages:");
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
  trigger.textContent = ok ? "Gekopieerd" : "Kopiëren lukte niet";
  setTimeout(() => {
    trigger.textContent = label;
  }, 2000);
}

// -- asking ----------------------------------------------------------------------------------

function setBusy(on) {
  busy = on;
  form.setAttribute("aria-busy", String(on));
  sendButton.disabled = on;
  sendButton.classList.toggle("busy", on);
}

async function ask(question, turn, turns) {
  setBusy(true);
  try {
    const data = await askApi(question, turns);
    renderAnswer(turn, data);
    history.push({ question, answer: String(data.answer || "") });
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError(String(err), true);
    renderError(turn, error, () => {
      if (busy) return;
      renderBusy(turn);
      ask(question, turn, turns);
    });
  } finally {
    setBusy(false);
    turn.item.scrollIntoView({ block: "start", behavior: "smooth" });
  }
}

function submit() {
  const question = input.value.trim();
  if (!question || busy) return;
  input.value = "";
  autosize();
  const turns = history.slice(-HISTORY_TURNS);
  ask(question, createTurn(question), turns);
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

document.getElementById("new-chat").addEventListener("click", () => {
  if (busy) return;
  history = [];
  conversation.replaceChildren();
  intro.hidden = false;
  showStatus();
input.focus();
});

/** The service's state in the top bar: documents indexed, still loading, or unreachable. */
async function showStatus() {
  let text = "Service niet bereikbaar";
  let state = "down";
  try {
    const response = await fetch(API_HEALTH, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (response.ok && body.status === "ok") {
      text = `${Number(body.documents).toLocaleString("nl-NL")} documenten`;
      state = "ok";
    } else if (body.status === "loading") {
      text = "Index wordt geladen \u2026";
      state = "loading";
    } else {
      text = "Index niet beschikbaar";
    }
  } catch {
    // keep "niet bereikbaar"
  }
  statusLine.textContent = text;
  statusLine.dataset.state = state;
  if (state === "loading") setTimeout(showStatus, 3000);
}

// "/" anywhere outside a text field puts the cursor in the question box.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    showStatus();
input.focus();
  }
});

showStatus();
input.focus();
