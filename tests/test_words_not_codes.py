"""Words, not codes: the main pages of each role show every choice by its label ("BSC PAB", "Clarification (Initial
QAD)"), never by its stored value ("BSC_PAB", "INITIAL_CLARIFICATION").

Data-driven: the codes looked for are the values of every ``TextChoices`` in the apps that are written in capitals
with an underscore (a value such as "DIP", which is also its label, is a word). Only the text a person reads is
checked: text nodes and the attributes read aloud or shown (``title``, ``aria-label``, ``placeholder``), not ids,
names, classes or option values, where codes belong; nor inside ``<code>``, where a machine's code is shown on
purpose beside its explanation (the gating reasons).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import models
from django.test import Client

import qualify
from tests.browser.test_role_pages import ROLES

CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
SKIPPED = ("script", "style", "template", "code")


def _every_choices_class() -> list[type[models.TextChoices]]:
    for info in pkgutil.walk_packages(qualify.__path__, "qualify."):
        if ".tests" not in info.name and ".migrations" not in info.name and not info.name.endswith("management"):
            importlib.import_module(info.name)
    found: list[type[models.TextChoices]] = []
    pending = list(models.TextChoices.__subclasses__())
    while pending:
        klass = pending.pop()
        pending += klass.__subclasses__()
        if klass.__module__.startswith("qualify.") and ".tests" not in klass.__module__:
            found.append(klass)
    return found


def choice_codes() -> dict[str, str]:
    """Each code-like value of the apps' TextChoices, with the label it should be shown as."""
    codes: dict[str, str] = {}
    for klass in _every_choices_class():
        for member in klass:
            if CODE.fullmatch(str(member.value)) and str(member.label) != str(member.value):
                codes[str(member.value)] = str(member.label)
    return codes


class ReadText(HTMLParser):
    """The text a person reads on the page: text nodes outside script and style, and the read-aloud attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def codes_shown(html: str, codes: dict[str, str]) -> set[str]:
    reader = ReadText()
    reader.feed(html)
    return {token for part in reader.parts for token in CODE.findall(part) if token in codes}


def test_the_codes_looked_for_come_from_the_choices():
    codes = choice_codes()
    assert codes["BSC_PAB"] == "BSC Performance Assurance Board"
    assert codes["INITIAL_CLARIFICATION"] == "Clarification (Initial QAD)"
    # The check can fail: a page that printed a raw value would be caught.
    assert codes_shown("<p>State: INITIAL_CLARIFICATION</p>", codes) == {"INITIAL_CLARIFICATION"}
    assert codes_shown('<p><span title="FINAL_QAD_SUBMITTED">x</span></p>', codes) == {"FINAL_QAD_SUBMITTED"}
    assert codes_shown('<input name="x" value="INITIAL_CLARIFICATION"><p>Clarification</p>', codes) == set()
    assert codes_shown("<dt><code>FINAL_QAD_SUBMITTED</code></dt><dd>Final QAD submitted</dd>", codes) == set()


@pytest.fixture
def busy_cast(cast: Any) -> Any:
    """The cast with case A in clarification on its Initial QAD (a query open), so the pages show states, bodies,
    query and submission kinds, not only drafts."""
    from qualify.assessment.tests import journey

    case = journey.to_initial_submitted(cast, cast.case_a)
    journey.raise_query(cast, case, "BSC")
    return cast


def test_no_page_of_any_role_shows_a_raw_choice_code(busy_cast: Any) -> None:
    codes = choice_codes()
    found: list[str] = []
    for role, (email, pages) in ROLES.items():
        client = Client()
        user = next(u for u in _users(busy_cast) if u.email == email)
        client.force_login(user)
        for name, url in pages:
            response = client.get(url(busy_cast))
            assert response.status_code == 200, f"{role} {name}: {response.status_code}"
            shown = codes_shown(response.content.decode(), codes)
            found += [f"{role} {name}: {code} (should read “{codes[code]}”)" for code in sorted(shown)]
    assert not found, "\n".join(found)


def _users(cast: Any) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model()._default_manager.all())
