"""Reporting a consultation's outcome to the working group (QWG, DOMAIN.md §9): after the close, once every comment is
answered, once per consultation; it is recorded with its date, minutes reference and who recorded it, and puts the
versions consulted on before governance.

Everything here goes through the API or the pages, as the Programme would.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from qualify.library.choices import VersionStatus
from qualify.library.models import ArtefactVersion, QwgReport
from qualify.library.tests.helpers import BEFORE_OPENING, DURING, closed_consultation, comment, setup_consultation

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def closed(cast):
    return closed_consultation(cast)


def _report(client_for, token_for, setup, *, number="MHHS-DEL3317", on="2026-11-05", who="admin"):
    return client_for(None).post(
        f"/api/v1/library/consultations/{setup.consultation.uuid}/qwg-report",
        {"reported_on": on, "minutes_reference": "QWG-42", "log_document_number": number},
        content_type="application/json",
        **token_for(who),
    )


def _status(version):
    return ArtefactVersion.objects.get(pk=version.pk).status


def test_the_qwg_report_is_refused_before_the_close(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        response = _report(client_for, token_for, setup, on="2026-10-15")
    assert response.status_code == 409 and "has not closed yet" in response.json()["error"]["message"]
    assert not QwgReport.objects.exists()


def test_the_qwg_report_is_refused_while_a_comment_has_no_answer(cast, client_for, token_for):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        comment(cast, setup, "lead_a")
    response = _report(client_for, token_for, setup)
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("1 comment in the consolidated comments log still needs")
    assert _status(setup.version) == VersionStatus.IN_CONSULTATION


def test_the_qwg_report_is_recorded_once_with_its_date_minutes_and_who(closed, client_for, token_for):
    response = _report(client_for, token_for, closed)
    assert response.status_code == 201
    assert response.json()["qwg_report"] == {
        "reported_on": "2026-11-05",
        "minutes_reference": "QWG-42",
        "reported_by_name": "Pat Programme",
    }
    assert response.json()["comments_log"] == "MHHS-DEL3317"
    assert _status(closed.version) == VersionStatus.APPROVED
    again = _report(client_for, token_for, closed, number="MHHS-DEL3318")
    assert again.status_code == 409 and "already been reported" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("on", "field", "problem"),
    [("2026-10-29", "reported_on", "before_close"), ("2026-11-21", "reported_on", "future")],
)
def test_the_qwg_report_is_dated_between_the_close_and_today(closed, client_for, token_for, on, field, problem):
    response = _report(client_for, token_for, closed, on=on)
    assert response.status_code == 422 and response.json()["error"]["details"] == {field: problem}


def test_recording_the_qwg_report_on_the_log_page_puts_the_version_before_governance(closed, client_for):
    client = client_for("admin")
    log_url = f"/library/consultations/{closed.consultation.uuid}/log/"
    assert 'data-testid="qwg-report-form"' in client.get(log_url).content.decode()
    response = client.post(
        f"/library/consultations/{closed.consultation.uuid}/qwg-report/",
        {
            "reported_on": "2026-11-05",
            "minutes_reference": "QWG minutes 11",
            "log_document_number": "DEL-331",
            "confirm": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Reported to QWG on 5 Nov 2026 (minutes QWG minutes 11), recorded by Pat Programme." in page
    assert "The consolidated comments log DEL-331 is published" in page
    assert _status(closed.version) == VersionStatus.APPROVED
    version_page = client_for("lead_b").get(f"/library/versions/{closed.version.uuid}/").content.decode()
    assert "Reported 5 Nov 2026 (minutes QWG minutes 11)" in version_page
