"""Journeys in a real browser: Playwright driving the system's Chromium against Django's live server.

Chromium comes from Debian (``/usr/bin/chromium``, installed by bin/test when missing); Playwright's own browser
download is never used. Set QUALIFY_CHROMIUM to use another binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import build_cast

# Playwright's sync API runs an event loop in this thread; Django's guard against ORM calls from async contexts
# would otherwise refuse the set-up queries made around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("QUALIFY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; bin/test installs it (apt-get install chromium).")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every journey also checks the Content-Security-Policy: anything the browser refused (a script, a style, an
    # eval) is reported on the console, and fails the journey.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused part of the page"


@pytest.fixture
def live_cast(transactional_db: Any) -> Any:
    return build_cast()
