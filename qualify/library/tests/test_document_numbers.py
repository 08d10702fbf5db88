"""Document numbers as the Programme publishes them (DOMAIN.md §9): ``MHHS-DEL`` and four digits, or the older
``DELnnnn`` and ``DEL-nnn``, each kept exactly as written; anything else is a field error."""

from __future__ import annotations

import pytest
import time_machine

from qualify.library.models import Artefact
from qualify.library.services import comment_answer
from qualify.library.tests.helpers import AFTER_CLOSE, BEFORE_OPENING, DURING, admin, comment, setup_consultation


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


@pytest.mark.parametrize(("number", "status"), [("DEL-207", 201), ("del-207", 422), ("MHHS-DEL207", 422)])
def test_the_comments_log_number_in_the_api_is_checked_the_same_way(cast, client_for, token_for, number, status):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        sent = comment(cast, setup, "lead_a")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        comment_answer(actor=admin(), comment=sent, response="Agreed.", outcome="ACCEPTED")
        response = client_for(None).post(
            f"/api/v1/library/consultations/{setup.consultation.reference}/qwg-report",
            {"reported_on": "2026-11-02", "minutes_reference": "QWG-42", "log_document_number": number},
            content_type="application/json",
            **token_for("admin"),
        )
    assert response.status_code == status
    if status == 201:
        assert response.json()["comments_log"] == number
        assert Artefact.objects.filter(document_number=number).exists()
    else:
        assert response.json()["error"]["details"] == {"log_document_number": "invalid"}


def test_a_comments_log_cannot_take_a_number_already_in_the_library(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(AFTER_CLOSE, tick=False):
        response = client_for(None).post(
            f"/api/v1/library/consultations/{setup.consultation.uuid}/qwg-report",
            {"reported_on": "2026-11-02", "minutes_reference": "QWG-42", "log_document_number": "MHHS-DEL1234"},
            content_type="application/json",
            **token_for("admin"),
        )
    assert response.status_code == 422 and response.json()["error"]["details"] == {"log_document_number": "taken"}
