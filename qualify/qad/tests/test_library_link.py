"""The QAD is a governed artefact: a QAD version can name its library version and waits for its baseline."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qualify.core.errors import ValidationFailed
from qualify.library.choices import GoverningBody
from qualify.library.services import approval_record, version_approve
from qualify.library.tests.helpers import admin, make_artefact, make_version
from qualify.qad.services import qad_version_publish
from qualify.qad.tests.helpers import SAMPLE

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_linked_qad_is_published_only_once_its_library_version_is_baselined(cast, client_for):
    artefact = make_artefact(number="MHHS-DEL2014", short_name="QAD", required_bodies=[GoverningBody.BSC_PAB])
    library_version = version_approve(actor=admin(), version=make_version(artefact, "3.2"))
    out = StringIO()
    call_command("load_qad", str(SAMPLE), "--artefact", "mhhs-del2014", stdout=out)
    from qualify.qad.models import QadVersion

    qad = QadVersion.objects.get(version="3.2")
    assert qad.artefact_version == library_version
    with pytest.raises(ValidationFailed, match="once the library has baselined it"):
        qad_version_publish(actor=admin(), version=qad)
    approval_record(
        actor=cast.actor("board"),
        version=library_version,
        body=GoverningBody.BSC_PAB,
        decision="APPROVE",
        decided_on=dt.date(2026, 11, 19),
        minutes_reference="PAB-301",
    )
    assert qad_version_publish(actor=admin(), version=qad).is_published
    page = client_for("lead_a").get(reverse("qad:version_detail", args=["3.2"])).content.decode()
    assert "MHHS-DEL2014 v3.2" in page


def test_linking_to_a_version_the_library_does_not_have_is_a_clear_error(db):
    make_artefact(number="MHHS-DEL2014", short_name="QAD")
    with pytest.raises(CommandError, match=r"no version 3\.2 of MHHS-DEL2014"):
        call_command("load_qad", str(SAMPLE), "--artefact", "MHHS-DEL2014", stdout=StringIO(), stderr=StringIO())
