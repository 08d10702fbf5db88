"""URL patterns reversed once: the links they fill in are exactly those ``reverse`` gives."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from qualify.core.web import UrlTemplate


@pytest.mark.parametrize("value", ["MHHS-DEL1234", "3f2c9a1e-0000-4000-8000-000000000001", "a b", "ü%?#&=+", "~:@!$"])
def test_a_url_template_gives_what_reverse_gives(value):
    assert UrlTemplate("library:artefact", "document_number")(value) == reverse("library:artefact", args=[value])
    two = UrlTemplate("library:download", "key", "kind")
    assert two(value, "clean") == reverse("library:download", args=[value, "clean"])
    assert two("k", value) == reverse("library:download", args=["k", value])


@pytest.mark.parametrize("value", ["", "a/b"])
def test_a_url_template_refuses_what_reverse_refuses(value):
    with pytest.raises(NoReverseMatch):
        reverse("library:artefact", args=[value])
    with pytest.raises(NoReverseMatch):
        UrlTemplate("library:artefact", "document_number")(value)


def test_a_url_template_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    set_script_prefix("/qualify/")
    try:
        assert UrlTemplate("library:version", "key")("v1") == "/qualify/library/versions/v1/"
    finally:
        set_script_prefix(before)
