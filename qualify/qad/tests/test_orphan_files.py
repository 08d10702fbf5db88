"""Evidence files never outlive their row: pending until the row commits, and swept when an upload was killed.

An upload copies the file in before its transaction. Killed between the copy and the commit, it used to leave a file
under its final name that no row named. Now the copy stays under a pending name until the commit promotes it, and
``sweep_orphan_files`` removes, a day later, whatever a killed upload left behind.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from qualify.core import storedfiles
from qualify.qad.models import EvidenceFile
from qualify.qad.tests.helpers import PDF, open_qad, publish_sample, upload_pdf

DAY = 24 * 3600


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def qad(cast, media):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def files_under(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_file_takes_its_final_name_only_when_its_row_commits(cast, qad, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence = upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"])
        # The row names the final name; until the commit the bytes sit under the pending one.
        assert files_under(media) == {f"pending/{evidence.storage_name}"}
    assert files_under(media) == {evidence.storage_name}
    assert evidence.storage_name.startswith(f"evidence/{qad.uuid}/")
    with storedfiles.open_stored(evidence.storage_name) as handle:
        assert handle.read().startswith(PDF)


def test_a_transaction_that_fails_after_the_store_leaves_no_file(cast, qad, media, monkeypatch):
    def broken_audit(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("qualify.qad.services.audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"])
    assert files_under(media) == set()
    assert not EvidenceFile.objects.exists()


def test_a_rolled_back_outer_transaction_never_promotes_the_file(cast, qad, media, django_capture_on_commit_callbacks):
    uploaded = []

    def upload_then_fail() -> None:
        with transaction.atomic():
            uploaded.append(upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"]))
            raise RuntimeError("the caller's later step failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        upload_then_fail()
    assert callbacks == []
    evidence = uploaded[0]
    # Nothing under the final name; what a killed or rolled-back upload leaves is pending, and the sweep's.
    assert files_under(media) == {f"pending/{evidence.storage_name}"}


def test_a_pending_copy_whose_row_committed_is_still_served(cast, qad, media, client_for):
    # Killed between the commit and the promotion: the row is there, the file still pending.
    evidence = upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"])
    assert files_under(media) == {f"pending/{evidence.storage_name}"}
    response = client_for("lead_a").get(f"/qad/evidence/{evidence.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(PDF)


def test_the_sweep_removes_old_orphans_and_stale_pending_files_and_keeps_the_rest(
    cast, qad, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"], name="kept.pdf")
    kept_path = media / kept.storage_name
    age(kept_path, 3 * DAY)  # old, but its row names it
    # Left by uploads killed before their rows committed: an old copy under a final name no row holds, an old
    # pending copy, and a pending copy from a minute ago (its upload may still be on the way).
    folder = media / "evidence" / str(qad.uuid)
    orphan = folder / "0123abcd.pdf"
    stale = media / "pending" / "evidence" / str(qad.uuid) / "4567cdef.pdf"
    young = media / "pending" / "evidence" / str(qad.uuid) / "89abcdef.pdf"
    for path in (orphan, stale, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
    age(orphan, DAY + 60)
    age(stale, 2 * DAY)
    age(young, 60)
    # Another app's folder is swept by the same rule: a library file no version names.
    library_orphan = media / "library" / "artefact" / "version" / "clean-0000.pdf"
    library_orphan.parent.mkdir(parents=True)
    library_orphan.write_bytes(PDF)
    age(library_orphan, 2 * DAY)

    dry = io.StringIO()
    call_command("sweep_orphan_files", "--dry-run", stdout=dry)
    assert f"would remove {orphan.relative_to(media)}" in dry.getvalue()
    assert orphan.exists() and stale.exists() and library_orphan.exists()

    out = io.StringIO()
    call_command("sweep_orphan_files", stdout=out)
    printed = out.getvalue()
    for gone in (orphan, stale, library_orphan):
        assert not gone.exists()
        assert f"removed {gone.relative_to(media)}" in printed
    assert kept_path.exists() and young.exists()
    assert "3 removed" in printed


def test_the_sweep_promotes_an_old_pending_copy_whose_row_committed(cast, qad, media):
    evidence = upload_pdf(qad, cast.actor("lead_a"), ["Q-3.1"])  # the promotion never ran (killed after commit)
    pending = media / "pending" / evidence.storage_name
    age(pending, 2 * DAY)
    report = storedfiles.sweep()
    assert report.promoted == [evidence.storage_name] and report.removed == []
    assert files_under(media) == {evidence.storage_name}


def test_a_young_orphan_is_left_alone(db, media):
    young = media / "evidence" / "some-response" / "fresh.pdf"
    young.parent.mkdir(parents=True)
    young.write_bytes(PDF)
    report = storedfiles.sweep(max_age=dt.timedelta(hours=1))
    assert report.removed == [] and young.exists()
