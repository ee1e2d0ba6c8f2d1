"""The chat page in a real browser: Debian's Chromium, driven headless by Playwright.

The real server runs on the bundled corpus (and, for the hostile-text case, on a small index
built here that holds markup in its text, section and title). Playwright never downloads a
browser: it launches ``/usr/bin/chromium`` (``apt-get install chromium``; ``scripts/test.sh``
installs it). Without it these tests are skipped with the reason.

The answered-question test takes a desktop screenshot; with ``SCREENSHOT=docs/screenshot.png``
it is saved there for the README (otherwise in the test's temporary folder, so a test run
leaves the checkout as it was).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.devtools.server import running_server
from qa_service.embedding import Embedder

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
Browser = sync_api.Browser
Page = sync_api.Page
Route = sync_api.Route
expect = sync_api.expect
expect.set_options(timeout=30_000)  # an answer on a busy CPU can take a few seconds

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

AFGHANISTAN = "Wat heeft de minister toegezegd voor Afghanistan?"
WEATHER = "Wat is het weerbericht voor Amsterdam morgen?"


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"{CHROMIUM} cannot start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


class Watched:
    """A page with the page errors and dialogs it raised (neither may happen)."""

    def __init__(self, browser: Browser, base_url: str, **options: Any) -> None:
        self.context = browser.new_context(
            viewport=options.pop("viewport", DESKTOP), locale="nl-NL", **options
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.base_url = base_url

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors
        assert not self.dialogs, f"a script ran: {self.dialogs}"


@pytest.fixture()
def make_watched(browser: Browser) -> Iterator[Any]:
    """Open watched pages; at the end, close them and check that nothing ran or failed."""
    made: list[Watched] = []

    def make(base_url: str, **options: Any) -> Watched:
        w = Watched(browser, base_url, **options)
        made.append(w)
        w.page.goto(base_url + "/")
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture()
def watched(make_watched: Any, corpus_server: str) -> Watched:
    return make_watched(corpus_server)


@pytest.fixture()
def page(watched: Watched) -> Page:
    return watched.page


HOSTILE_LETTER = """Tweede Kamer der Staten-Generaal

Beveiliging <script>alert(1)</script> van de website

Hierbij meld ik u dat de minister heeft toegezegd de beveiliging van de website van de Kamer \
te verbeteren <script>alert(1)</script> zodat aanvallen worden voorkomen. De aanvaller \
plaatste <img src=x onerror=alert(2)> in een formulier op de website.

Daarnaast wordt de digitale weerbaarheid van de <b onmouseover=alert(3)>ministeries</b> \
onderzocht.
"""

HOSTILE_MOTION = """Tweede Kamer der Staten-Generaal

2

Vergaderjaar 2023–2024

99 001

Digitale veiligheid

Nr. 2

MOTIE VAN HET LID JANSEN
Voorgesteld 1 februari 2024
De Kamer,
gehoord de beraadslaging,
overwegende dat websites van de overheid worden aangevallen met <script>alert(4)</script>;
verzoekt de regering om de beveiliging van overheidswebsites tegen <img src=x \
onerror=alert(5)> aanvallen te versterken,
en gaat over tot de orde van de dag.
Jansen

kst-99001-2
ISSN 0921 - 7371
’s-Gravenhage 2024

Tweede Kamer, vergaderjaar 2023–2024, 99 001, nr. 2
"""

HOSTILE_SUBJECT = "Motie van het lid Jansen over <img src=x onerror=alert(6)> beveiliging"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """The server on a small index: two documents with markup in them, among real ones (the
    real ones give the similarity statistics a normal spread)."""
    import json

    from qa_service.ingest.build import build_index

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "kst-99001-1.txt").write_text(HOSTILE_LETTER, encoding="utf-8")
    (folder / "kst-99001-2.txt").write_text(HOSTILE_MOTION, encoding="utf-8")
    (folder / "moties.jsonl").write_text(
        json.dumps({"file": "kst-99001-2.txt", "subject": HOSTILE_SUBJECT}) + "\n",
        encoding="utf-8",
    )
    corpus = PROJECT_ROOT / "corpus"
    shutil.copy(corpus / "kamerstukken" / "kst-28676-280.txt", folder)
    for motion in sorted((corpus / "moties").glob("kst-*.txt"))[:10]:
        shutil.copy(motion, folder)
    settings = Settings(index_dir=tmp_path_factory.mktemp("hostile-index") / "index")
    build_index([folder], settings, embedder)
    with running_server(settings.index_dir) as url:
        yield url


# -- helpers ----------------------------------------------------------------------------------


STREAM = "**/api/ask/stream"


def sse_events(body: str) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a text/event-stream body."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


def sse(*events: tuple[str, Any]) -> str:
    return "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events)


def ask(page: Page, question: str, url: str = STREAM) -> Any:
    """Type ``question``, press Enter, wait for the answer; returns the answer object the
    page was given (the ``final`` event of the stream, or /api/ask's body)."""
    turns = page.locator(".turn").count()
    page.fill("#question", question)
    with page.expect_response(url) as reply:
        page.press("#question", "Enter")
    answer = page.locator(".turn").nth(turns).locator(".answer")
    answer.and_(page.locator(":not(.pending):not(.draft)")).wait_for()
    try:
        if reply.value.url.endswith("/stream"):
            return next(d for e, d in sse_events(reply.value.text()) if e == "final")
        return reply.value.json()
    except Exception:
        return None


def last_answer(page: Page) -> Any:
    return page.locator(".turn").last.locator(".answer")


def markers(answer: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", answer)]


# -- tests ------------------------------------------------------------------------------------


def test_answer_with_citations_and_the_cited_passage(watched: Watched, tmp_path: Path) -> None:
    page = watched.page
    response = page.goto(watched.base_url + "/")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("#intro").is_visible()
    expect(page.locator("#status")).to_have_text("485 documenten")

    data = ask(page, AFGHANISTAN)
    assert data["answerable"] is True
    turn = page.locator(".turn").last
    assert turn.locator(".question-text").text_content() == AFGHANISTAN
    assert not page.locator("#intro").is_visible()
    answer = turn.locator(".answer")
    assert answer.locator(".answer-label").text_content() == "Antwoord"
    # the answer text as the API gave it, each [n] a button labelled with its citation
    shown = (answer.locator(".answer-text").text_content() or "").replace("\u00a0", " ")
    assert shown == re.sub(r"\[(\d+)\]", r"\1", data["answer"])
    cites = answer.locator(".answer-text .cite")
    assert [int(n) for n in cites.all_text_contents()] == markers(data["answer"])
    by_n = {c["n"]: c for c in data["citations"]}
    # every citation in the sources list
    sources = answer.locator(".source")
    assert sources.count() == len(data["citations"])
    for i, c in enumerate(data["citations"]):
        text = sources.nth(i).text_content() or ""
        assert c["citation"] in text and c["title"] in text

    # click [n]: the passage with its quote highlighted, title, citation, section and link
    first = cites.first
    c = by_n[int(first.text_content() or 0)]
    first.click()
    passage = answer.locator(".passage")
    expect(passage).to_be_visible()
    assert first.get_attribute("aria-expanded") == "true"
    assert passage.locator(".passage-title").text_content() == c["title"]
    meta = passage.locator(".passage-meta").text_content() or ""
    assert c["citation"] in meta and c["section"] in meta
    assert passage.locator(".passage-text").text_content() == c["text"]
    marks = passage.locator("mark").all_text_contents()
    assert marks and all(m in c["quote"] for m in marks)
    assert " ".join(marks).replace(" ", "") == c["quote"].replace(" … ", "").replace(" ", "")
    link = passage.locator("a.official")
    assert link.get_attribute("href") == c["url"] and c["url"].startswith("https://")
    assert link.get_attribute("rel") == "noopener noreferrer"

    # a desktop screenshot of the answered question for the README
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": DESKTOP["width"], "height": min(max(height, 800), 1400)})
    shot = Path(os.environ.get("SCREENSHOT") or tmp_path / "screenshot.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # clicking it again closes it; a source in the list opens its passage too
    first.click()
    expect(passage).to_be_hidden()
    sources.last.click()
    last = data["citations"][-1]
    expect(passage.locator(".passage-text")).to_have_text(last["text"])


def test_keyboard(page: Page) -> None:
    data = ask(page, AFGHANISTAN)
    answer = last_answer(page)
    cite = answer.locator(".answer-text .cite").last
    cite.focus()
    page.keyboard.press("Enter")
    passage = answer.locator(".passage")
    expect(passage).to_be_visible()
    n = int(cite.text_content() or 0)
    c = next(c for c in data["citations"] if c["n"] == n)
    expect(passage.locator(".passage-text")).to_have_text(c["text"])
    # focus moved into the passage; Tab reaches its close button and link, Escape closes it
    assert page.evaluate("document.activeElement.classList.contains('passage')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('passage-close')")
    page.keyboard.press("Escape")
    expect(passage).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('cite')")
    # "/" goes back to the question box
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "question"


def test_enter_sends_shift_enter_breaks_the_line_and_busy_shows(page: Page) -> None:
    held: list[Route] = []
    page.route(STREAM, lambda route: held.append(route))
    box = page.locator("#question")
    box.fill("Wat heeft de minister toegezegd")
    box.press("Shift+Enter")
    box.press_sequentially("voor Afghanistan?")
    assert box.input_value() == "Wat heeft de minister toegezegd\nvoor Afghanistan?"
    assert page.locator(".turn").count() == 0

    box.press("Enter")
    answer = last_answer(page)
    expect(answer).to_have_class(re.compile(r"\bpending\b"))
    assert answer.get_attribute("aria-busy") == "true"
    assert page.locator("#send").is_disabled()
    assert box.input_value() == ""
    assert page.locator(".question-text").text_content() == (
        "Wat heeft de minister toegezegd\nvoor Afghanistan?"
    )
    # a second Enter while busy sends nothing
    box.fill("Nog een vraag")
    box.press("Enter")
    assert page.locator(".turn").count() == 1 and len(held) == 1

    held[0].continue_()
    expect(answer.locator(".answer-text")).to_be_visible()
    # the button comes back when the stream ends, which may be after the text shows
    expect(page.locator("#send")).to_be_enabled()
    assert box.input_value() == "Nog een vraag"


def test_followup_question_uses_the_conversation(page: Page) -> None:
    first = ask(page, AFGHANISTAN)
    with page.expect_request(STREAM) as request:
        second = ask(page, "En hoeveel militairen stuurt Nederland?")
    sent = request.value.post_data_json
    assert sent["history"] == [{"question": AFGHANISTAN, "answer": first["answer"]}]
    assert "honderd militairen" in second["answer"]
    answer = last_answer(page)
    assert "honderd militairen" in (answer.locator(".answer-text").text_content() or "")
    assert AFGHANISTAN in (answer.locator(".searched").text_content() or "")

    # a new conversation forgets the history
    page.click("#new-chat")
    assert page.locator(".turn").count() == 0 and page.locator("#intro").is_visible()
    with page.expect_request(STREAM) as request:
        ask(page, "En hoeveel militairen stuurt Nederland?")
    assert request.value.post_data_json["history"] == []


def test_abstention_is_not_an_error_and_offers_the_closest_passages(page: Page) -> None:
    data = ask(page, WEATHER)
    assert data["answerable"] is False
    answer = last_answer(page)
    expect(answer).to_have_class(re.compile(r"\babstained\b"))
    assert answer.get_attribute("role") is None
    assert answer.locator(".answer-label").text_content() == "Geen antwoord in de documenten"
    assert answer.locator(".answer-text").text_content() == data["answer"]
    assert answer.locator(".sources-label").text_content() == "Dichtstbijzijnde passages"
    assert answer.locator(".source").count() == len(data["citations"]) > 0
    answer.locator(".source").first.click()
    passage = answer.locator(".passage")
    expect(passage.locator(".passage-text")).to_have_text(data["citations"][0]["text"])
    assert passage.locator("mark").count() == 0


def test_errors_are_readable_and_the_page_recovers(page: Page) -> None:
    # the real API refuses a question over 2,000 characters (the box's maxlength is bypassed)
    page.eval_on_selector("#question", "box => { box.value = 'x'.repeat(2001); }")
    with page.expect_response(STREAM) as reply:
        page.press("#question", "Enter")
    assert reply.value.status == 422
    error = last_answer(page)
    expect(error).to_have_class(re.compile(r"\berror\b"))
    text = error.text_content() or ""
    assert "De vraag is niet geldig" in text and "2000" in text
    assert error.get_attribute("role") == "alert"
    assert error.locator("button").count() == 0  # trying again would not help

    # the service is loading: readable, and "Opnieuw proberen" asks again
    def loading(route: Route) -> None:
        route.fulfill(status=503, json={"detail": "the index is still loading"})

    page.route(STREAM, loading)
    ask(page, AFGHANISTAN)
    error = last_answer(page)
    expect(error).to_contain_text("nog niet klaar (the index is still loading)")
    page.unroute(STREAM)
    with page.expect_response(STREAM):
        error.get_by_role("button", name="Opnieuw proberen").click()
    expect(error.locator(".answer-text")).to_contain_text("honderd militairen")
    assert page.locator(".turn").count() == 2

    # the server is down
    page.route(STREAM, lambda route: route.abort("connectionrefused"))
    page.fill("#question", AFGHANISTAN)
    page.press("#question", "Enter")
    expect(last_answer(page)).to_contain_text("Geen verbinding met de service")

    # a server error without a JSON body; the language model is unreachable (502)
    page.unroute(STREAM)
    page.route(STREAM, lambda route: route.fulfill(status=500, body="boom"))
    ask(page, AFGHANISTAN)
    expect(last_answer(page)).to_contain_text("De service gaf een fout (HTTP 500)")
    page.unroute(STREAM)
    page.route(STREAM, lambda route: route.fulfill(status=502, json={"detail": "model down"}))
    ask(page, AFGHANISTAN)
    expect(last_answer(page)).to_contain_text("Het taalmodel gaf geen antwoord: model down")

    # an error event in the stream, after the draft had begun
    cited = {"citations": []}
    failing = sse(("citations", cited), ("delta", {"text": "Half"}), ("error", {"detail": "oom"}))
    page.unroute(STREAM)
    page.route(STREAM, lambda route: route.fulfill(body=failing, content_type="text/event-stream"))
    ask(page, AFGHANISTAN)
    error = last_answer(page)
    expect(error).to_contain_text("Het antwoord kon niet worden gemaakt: oom.")
    assert error.get_attribute("role") == "alert" and error.locator(".draft-text").count() == 0

    # a stream that ends without its final answer (the connection dropped)
    cut = sse(("citations", cited), ("delta", {"text": "Half"}))
    page.unroute(STREAM)
    page.route(STREAM, lambda route: route.fulfill(body=cut, content_type="text/event-stream"))
    ask(page, AFGHANISTAN)
    expect(last_answer(page)).to_contain_text("verbinding werd verbroken")
    assert not page.locator("#send").is_disabled() and page.locator("#stop").is_hidden()
    # only the answered question (the retry) became history, none of the failed ones
    assert [t["question"] for t in history_sent(page)] == [AFGHANISTAN]


def history_sent(page: Page) -> Any:
    """The ``history`` the page sends with its next question (the question is held)."""
    held: list[Route] = []
    page.unroute(STREAM)
    page.route(STREAM, lambda route: held.append(route))
    with page.expect_request(STREAM) as request:
        page.fill("#question", "Nog een vraag")
        page.press("#question", "Enter")
    page.click("#stop")
    page.unroute(STREAM)
    return request.value.post_data_json["history"]


FAKE_STREAM = """() => {
    // fetch of /api/ask/stream answers with a stream the test writes with window.feed()
    const realFetch = window.fetch;
    window.fetch = (url, options) => {
        if (!String(url).endsWith("/api/ask/stream")) return realFetch(url, options);
        const pipe = new TransformStream();
        const writer = pipe.writable.getWriter();
        window.feed = (text) => writer.write(new TextEncoder().encode(text));
        options.signal.addEventListener("abort", () => {
            window.aborted = true;
            writer.abort(new DOMException("aborted", "AbortError"));
        });
        return Promise.resolve(new Response(pipe.readable, {
            headers: {"content-type": "text/event-stream"},
        }));
    };
}"""


def test_the_draft_shows_while_it_streams_then_the_verified_answer(
    page: Page, corpus_server: str
) -> None:
    final = httpx.post(corpus_server + "/api/ask", json={"question": AFGHANISTAN}, timeout=60)
    data = final.json()
    page.evaluate(FAKE_STREAM)
    page.fill("#question", AFGHANISTAN)
    page.press("#question", "Enter")
    answer = last_answer(page)
    page.evaluate("text => window.feed(text)", sse(("citations", {"citations": data["citations"]})))
    expect(answer).to_contain_text(f"{len(data['citations'])} passages gevonden")
    # the deltas appear one by one, muted and marked as not verified; the box stays busy
    page.evaluate("text => window.feed(text)", sse(("delta", {"text": "De minister heeft "})))
    draft = answer.locator(".draft-text")
    expect(draft).to_have_text("De minister heeft ")
    page.evaluate("text => window.feed(text)", sse(("delta", {"text": "iets toegezegd [1]."})))
    expect(draft).to_have_text("De minister heeft iets toegezegd [1].")
    expect(answer).to_have_class(re.compile(r"\bdraft\b"))
    assert "nog niet gecontroleerd" in (answer.locator(".answer-label").text_content() or "")
    muted = page.evaluate("getComputedStyle(document.querySelector('.draft-text')).color")
    normal = page.evaluate("getComputedStyle(document.querySelector('.question-text')).color")
    assert muted != normal
    assert page.locator("#send").is_disabled() and page.locator("#stop").is_visible()
    # the final answer replaces the draft, with its [n] citations and sources
    page.evaluate("text => window.feed(text)", sse(("final", data)))
    expect(answer.locator(".answer-label")).to_have_text("Antwoord")
    assert answer.locator(".draft-text").count() == 0
    shown = (answer.locator(".answer-text").text_content() or "").replace("\u00a0", " ")
    assert shown == re.sub(r"\[(\d+)\]", r"\1", data["answer"])
    assert answer.locator(".source").count() == len(data["citations"])
    assert page.locator("#stop").is_hidden() and not page.locator("#send").is_disabled()


def test_stop_aborts_the_stream_and_the_page_goes_on(page: Page) -> None:
    page.evaluate(FAKE_STREAM)
    page.fill("#question", AFGHANISTAN)
    page.press("#question", "Enter")
    page.evaluate("text => window.feed(text)", sse(("delta", {"text": "Een begin"})))
    answer = last_answer(page)
    expect(answer.locator(".draft-text")).to_have_text("Een begin")
    page.click("#stop")
    expect(answer.locator(".answer-label")).to_have_text("Gestopt")
    assert page.evaluate("window.aborted") is True
    assert answer.get_attribute("role") is None and answer.get_attribute("aria-busy") is None
    assert page.locator("#stop").is_hidden() and not page.locator("#send").is_disabled()
    # asking again ("Opnieuw proberen") streams a new answer into the same turn
    answer.get_by_role("button", name="Opnieuw proberen").click()
    page.evaluate("text => window.feed(text)", sse(("delta", {"text": "Opnieuw"})))
    expect(answer.locator(".draft-text")).to_have_text("Opnieuw")
    # a new conversation stops it too
    page.click("#new-chat")
    assert page.locator(".turn").count() == 0 and not page.locator("#send").is_disabled()


def test_an_older_server_without_streaming_gets_the_plain_ask(page: Page) -> None:
    page.route(STREAM, lambda route: route.fulfill(status=404, json={"detail": "Not Found"}))
    data = ask(page, AFGHANISTAN, url="**/api/ask")
    assert data["answerable"] is True
    answer = last_answer(page)
    expect(answer.locator(".answer-label")).to_have_text("Antwoord")
    assert answer.locator(".source").count() == len(data["citations"]) > 0


def test_filters_restrict_the_sources(watched: Watched) -> None:
    page = watched.page
    question = "Welke motie vroeg om financiële steun voor Moldavië?"
    facets = httpx.get(watched.base_url + "/api/facets", timeout=30).json()
    unfiltered = ask(page, question)
    dossier = "21501-20"
    assert dossier in [d["dossier"] for d in facets["dossiers"]]
    assert all(not c["doc_id"].startswith(f"kst-{dossier}-") for c in unfiltered["citations"])

    # collapsed at first; opens from the keyboard and lists the facets
    panel = page.locator("#filter-panel")
    assert panel.is_hidden()
    page.focus("#filter-toggle")
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    assert page.locator("#filter-toggle").get_attribute("aria-expanded") == "true"
    options = page.locator("#filter-dossier option")
    expect(options).to_have_count(len(facets["dossiers"]) + 1)
    types = page.locator("#filter-doc-type option").all_text_contents()
    assert [t.split(" (")[0] for t in types[1:]] == [t["doc_type"] for t in facets["doc_types"]]
    assert page.locator("#filter-date-from").get_attribute("min") == facets["date_from"]
    page.select_option("#filter-dossier", dossier)
    page.fill("#filter-date-from", "2023-01-01")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    summary = page.locator("#filter-summary")
    expect(summary).to_have_text(f"dossier {dossier} \u00b7 vanaf 2023-01-01")

    with page.expect_request(STREAM) as request:
        filtered = ask(page, question)
    assert request.value.post_data_json["filters"] == {
        "dossier": dossier,
        "date_from": "2023-01-01",
    }
    assert filtered["citations"]
    for c in filtered["citations"]:
        doc = httpx.get(f"{watched.base_url}/api/documents/{c['doc_id']}", timeout=30).json()
        assert doc["dossier"] == dossier
    answer = last_answer(page)
    assert f"dossier {dossier}" in (answer.locator(".searched").last.text_content() or "")

    # cleared: the next question searches everything again and sends no filters
    page.click("#filter-clear")
    expect(summary).to_have_text("")
    assert page.locator("#filter-clear").is_hidden()
    with page.expect_request(STREAM) as request:
        ask(page, question)
    assert "filters" not in request.value.post_data_json


def test_copy_answer_with_citations(make_watched: Any, corpus_server: str) -> None:
    w = make_watched(corpus_server)
    w.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=corpus_server)
    page = w.page
    data = ask(page, AFGHANISTAN)
    button = last_answer(page).locator(".actions button")
    expect(button).to_have_text("Kopieer met bronnen")
    button.click()
    expect(button).to_have_text("Gekopieerd")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Vraag: {AFGHANISTAN}\n\nAntwoord: {data['answer']}\n\nBronnen:\n")
    for c in data["citations"]:
        assert f"[{c['n']}] {c['citation']}, {c['title']}" in copied
        assert c["url"] in copied and c["quote"] in copied


def test_phone_width(make_watched: Any, corpus_server: str) -> None:
    page = make_watched(corpus_server, viewport=PHONE, is_mobile=True, has_touch=True).page
    ask(page, AFGHANISTAN)
    last_answer(page).locator(".answer-text .cite").first.tap()
    expect(last_answer(page).locator(".passage mark").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator(".composer").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"] + 1
    assert page.locator("#question").is_visible() and page.locator("#send").is_visible()
    # the filters open within the width, every field reachable
    page.locator("#filter-toggle").tap()
    expect(page.locator("#filter-panel")).to_be_visible()
    page.select_option("#filter-vergaderjaar", "2023-2024")
    for field in ("dossier", "doc-type", "vergaderjaar", "date-from", "date-to"):
        box = page.locator(f"#filter-{field}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#filter-done").tap()
    expect(page.locator("#filter-summary")).to_have_text("vergaderjaar 2023-2024")


def test_content_security_policy_blocks_inline_script(page: Page) -> None:
    """The second line of defence: markup that did reach the page could not run."""
    ran = page.evaluate(
        """async () => {
            window.ran = [];
            const s = document.createElement('script');
            s.textContent = 'window.ran.push("script")';
            document.body.append(s);
            const d = document.createElement('div');
            d.innerHTML = '<img src="data:," onerror="window.ran.push(\\'onerror\\')">';
            document.body.append(d);
            await new Promise(r => setTimeout(r, 300));
            return window.ran;
        }"""
    )
    assert ran == []


def test_hostile_text_shows_as_text(make_watched: Any, hostile_server: str) -> None:
    """Markup in passages, sections and titles is shown as text and never runs, even with
    the CSP switched off: the page itself never parses data as markup."""
    w = make_watched(hostile_server, bypass_csp=True)
    page = w.page

    data = ask(page, "Wat heeft de minister toegezegd over de beveiliging van de website?")
    assert data["answerable"] and "<script>alert(1)</script>" in data["answer"]
    answer = last_answer(page)
    assert "<script>alert(1)</script>" in (answer.locator(".answer-text").text_content() or "")
    answer.locator(".cite").first.click()
    passage = answer.locator(".passage")
    text = passage.locator(".passage-text").text_content() or ""
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text
    assert "<script>alert(1)</script>" in (passage.locator(".passage-meta").text_content() or "")

    data = ask(page, "Welke motie vraagt om betere beveiliging van overheidswebsites?")
    assert any(c["title"] == HOSTILE_SUBJECT for c in data["citations"])
    answer = last_answer(page)
    assert HOSTILE_SUBJECT in (answer.locator(".answer-text").text_content() or "")
    assert HOSTILE_SUBJECT in (answer.locator(".sources").text_content() or "")
    answer.locator(".cite").first.click()
    assert answer.locator(".passage-title").text_content() == HOSTILE_SUBJECT

    # no element was made from the data, nothing ran, nothing was fetched from it
    made = page.locator("#conversation script, #conversation img, #conversation b")
    assert made.count() == 0
    page.wait_for_timeout(300)
    assert not [u for u in w.requests if u.rstrip("/").endswith("/x")]

    # a link from the data that is not http(s) is not made into a link
    def hostile_url(route: Route) -> None:
        body = dict(data)
        body["citations"] = [{**data["citations"][0], "url": "javascript:alert(7)"}]
        route.fulfill(body=sse(("final", body)), content_type="text/event-stream")

    page.route(STREAM, hostile_url)
    ask(page, "Welke motie vraagt om betere beveiliging van overheidswebsites?")
    answer = last_answer(page)
    answer.locator(".source").first.click()
    assert answer.locator(".passage a").count() == 0
    assert "Geen link" in (answer.locator(".passage-foot").text_content() or "")
