"""Document numbers as the Programme publishes them (DOMAIN.md §9): ``MHHS-DEL`` and four digits, or the older
``DELnnnn`` and ``DEL-nnn``, each kept exactly as written; anything else is a field error."""

from __future__ import annotations

import pytest

from qualify.library.models import Artefact


def _add(client, number: str):
    return client.post(
        "/library/manage/",
        {"document_number": number, "short_name": "Doc", "theme": "Qualification", "required_bodies": ["QAG"]},
    )


def test_each_published_form_of_document_number_is_kept_exactly_as_written(cast, client_for):
    client = client_for("admin")
    for number in ("MHHS-DEL1234", "DEL1234", "DEL-123"):
        assert _add(client, number).status_code == 302
        assert client.get(f"/library/artefacts/{number}/").status_code == 200
    assert sorted(Artefact.objects.values_list("document_number", flat=True)) == ["DEL-123", "DEL1234", "MHHS-DEL1234"]


@pytest.mark.parametrize(
    "number", ["DEL-1234", "DEL123", "DEL12345", "MHHS-DEL123", "MHHS-DEL-1234", "MHHS DEL1234", "mhhs-del1234"]
)
def test_any_other_document_number_is_a_field_error(cast, client_for, number):
    response = _add(client_for("admin"), number)
    assert response.status_code == 200
    assert response.context["form"].errors["document_number"] == [
        "A document number is MHHS-DEL followed by four digits (e.g. MHHS-DEL1234), or an older DEL1234 or DEL-123."
    ]
    assert not Artefact.objects.exists()
