"""The chat page in English and Dutch (Chromium): the browser's language chooses, the switch
in the header changes it, and the choice is kept across reloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui import test_page_browser as pages

browser = pages.browser  # the fixture (Debian's Chromium, headless)
expect = pages.expect

ENGLISH_QUESTION = "What did the minister pledge for Afghanistan?"
ENGLISH_TITLE = "Ask a question about Dutch parliamentary papers"


@pytest.fixture()
def open_page(browser: Any, corpus_server: str) -> Iterator[Any]:
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(locale: str, viewport: dict[str, int] = pages.DESKTOP) -> Any:
        context = browser.new_context(locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(corpus_server + "/")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def ask(page: Any, question: str) -> Any:
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator(".turn .answer").last
    expect(answer).not_to_have_class("answer pending", timeout=60_000)
    expect(answer.locator(".answer-label")).to_be_visible(timeout=60_000)
    return answer


def test_an_english_browser_gets_english_labels_at_phone_width(open_page: Any) -> None:
    page = open_page("en-US", pages.PHONE)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#intro h1")).to_have_text(ENGLISH_TITLE)
    expect(page.locator("#question")).to_have_attribute("placeholder", "Ask a question \u2026")
    expect(page.locator("#new-chat")).to_have_text("New conversation")
    expect(page.locator("#status")).to_contain_text("documents")
    answer = ask(page, ENGLISH_QUESTION)
    expect(answer.locator(".answer-label")).to_have_text("Answer")
    expect(answer.locator(".sources-label")).to_have_text("Sources")
    expect(answer.get_by_role("button", name="Copy with sources")).to_be_visible()
    answer.locator("button.cite").first.click()
    expect(answer.locator(".passage .legend")).to_have_text("Highlighted: the quoted sentence")
    # the abstention is in English too
    abstained = ask(page, "What is the weather forecast for Amsterdam tomorrow?")
    expect(abstained.locator(".answer-label")).to_have_text("No answer in the documents")
    expect(abstained.locator(".sources-label")).to_have_text("Closest passages")
    for dutch in ("Antwoord", "Bronnen", "Kopieer met bronnen", "Stel een vraag"):
        assert dutch not in page.locator("body").inner_text()


def test_the_switch_changes_the_language_and_is_kept_across_reloads(open_page: Any) -> None:
    page = open_page("nl-NL")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#intro h1")).to_have_text("Stel een vraag over Kamerstukken")
    switch = page.locator("#lang-switch")
    expect(switch).to_have_text("EN")
    switch.click()
    expect(page.locator("#intro h1")).to_have_text(ENGLISH_TITLE)
    expect(page.locator("#status")).to_contain_text("documents")
    expect(page.locator(".send-label")).to_have_text("Ask")
    expect(switch).to_have_text("NL")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#intro h1")).to_have_text(ENGLISH_TITLE)
    page.locator("#filter-toggle").click()
    expect(page.locator("#filter-dossier option").first).to_have_text("All dossiers")
    page.locator("#lang-switch").click()
    expect(page.locator("#intro h1")).to_have_text("Stel een vraag over Kamerstukken")
    expect(page.locator("#filter-dossier option").first).to_have_text("Alle dossiers")
    page.reload()
    expect(page.locator("#hint")).to_have_text(
        "Enter om te versturen, Shift+Enter voor een nieuwe regel."
    )
    answer = ask(page, "Wat heeft de minister toegezegd voor Afghanistan?")
    expect(answer.locator(".answer-label")).to_have_text("Antwoord")
