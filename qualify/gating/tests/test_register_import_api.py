"""``POST /api/v1/register/import``: the register import for programme administrators, as the command (issue 5)."""

from __future__ import annotations

import io

import pytest

from qualify.participants.models import MarketParticipation, Organisation
from qualify.register.models import RegisterEvent
from qualify.register.tests.test_import_register import HEADER, ROWS

pytestmark = pytest.mark.django_db

URL = "/api/v1/register/import"


def csv_file(lines: list[str], name: str = "register.csv") -> io.BytesIO:
    handle = io.BytesIO(("\n".join(lines) + "\n").encode())
    handle.name = name
    return handle


def counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), MarketParticipation.objects.count(), RegisterEvent.objects.count()


def test_programme_admin_imports_the_register_and_a_reimport_changes_nothing(cast, client_for, token_for):
    client, auth = client_for(None), token_for("admin")
    before = counts()
    first = client.post(URL, {"file": csv_file([HEADER, *ROWS]), "reason": "initial load for the test"}, **auth)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "rows": 6,
        "organisations_created": 2,
        "participations_created": 3,
        "events_created": 6,
        "events_already_recorded": 0,
    }
    after = counts()
    assert after == (before[0] + 2, before[1] + 3, before[2] + 6)

    again = client.post(URL, {"file": csv_file([HEADER, *ROWS])}, **auth)
    assert again.status_code == 200
    assert again.json()["events_created"] == 0 and again.json()["events_already_recorded"] == 6
    assert again.json()["organisations_created"] == 0 and again.json()["participations_created"] == 0
    assert counts() == after


def test_a_bad_row_is_422_naming_row_and_column_and_nothing_is_saved(cast, client_for, token_for):
    before = counts()
    rows = [*ROWS[:4], ROWS[4].replace("SERVICE_ACTIVATED,2025-06-01", "SERVICE_ACTIVATED,2025-06-31")]
    response = client_for(None).post(URL, {"file": csv_file([HEADER, *rows])}, **token_for("admin"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "row 5 (line 6), column date" in error["message"]
    assert error["details"]["problems"] == [
        {"row": 5, "column": "date", "message": "'2025-06-31' is not a calendar date"}
    ]
    assert counts() == before


def test_a_missing_or_unreadable_file_is_422(cast, client_for, token_for):
    client, auth = client_for(None), token_for("admin")
    assert client.post(URL, {}, **auth).status_code == 422
    latin = io.BytesIO("organisation,mpid\nCaf\xe9,ABCD\n".encode("latin-1"))
    latin.name = "register.csv"
    response = client.post(URL, {"file": latin}, **auth)
    assert response.status_code == 422
    assert "UTF-8" in response.json()["error"]["message"]


@pytest.mark.parametrize("who", ["bsc", "machine", "auditor", "lead_a"])
def test_only_programme_admins_import_the_register(cast, client_for, token_for, who):
    before = counts()
    response = client_for(None).post(URL, {"file": csv_file([HEADER, *ROWS])}, **token_for(who))
    assert response.status_code == 403
    assert counts() == before
