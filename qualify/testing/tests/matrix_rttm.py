"""The RTTM and Test Completion Report pages and endpoints in the permission matrix (added to matrix.py's rows).

Everyone who sees organisation A's case reads its matrix, snapshots and reports; lead_b gets 404 everywhere. Taking
a snapshot is the lead's (or a programme administrator's); generating a report the lead's or a contributor's (its
files are the organisation's QAD evidence); submitting it the lead's.
"""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, STAFF, endpoint, every, page

READERS = {**every([*A_MEMBERS, *STAFF], 200), "lead_b": 404}
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]


def prepare(cast):  # type: ignore[no-untyped-def]
    """Case A scoped with runs and a defect, snapshots at QT entry and QT exit, and one generated report."""
    from qualify.testing.services.completion import completion_report_generate
    from qualify.testing.services.rttm import rttm_snapshot_take
    from qualify.testing.tests.rttm_helpers import qad_published, scoped_with_runs

    qad_published()
    scoped_with_runs(cast.case_a)
    lead = cast.actor("lead_a")
    cast.rttm_before = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_ENTRY").uuid
    cast.rttm_after = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_EXIT").uuid
    cast.tcr = completion_report_generate(actor=lead, case=cast.case_a).uuid


def _case(name: str, *extra: str):  # type: ignore[no-untyped-def]
    return lambda c: reverse(f"testing:{name}", args=[c.case_a.reference, *(getattr(c, e) for e in extra)])


def _api(suffix: str):  # type: ignore[no-untyped-def]
    return lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/" + suffix.format(c=c)


ROWS = [
    page("testing:rttm", _case("rttm"), READERS),
    page("testing:rttm_export", _case("rttm_export"), READERS),
    page("testing:rttm_snapshots", _case("rttm_snapshots"), READERS),
    page("testing:rttm_snapshot", _case("rttm_snapshot", "rttm_before"), READERS),
    page("testing:rttm_snapshot_export", _case("rttm_snapshot_export", "rttm_before"), READERS),
    page("testing:rttm_compare", _case("rttm_compare"), READERS),
    page(
        "testing:rttm_snapshot_take",
        _case("rttm_snapshot_take"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 302, "admin": 302, "lead_b": 404},
        method="post",
        data=lambda c: {"gate": "PIT_EXIT", "confirm": "on"},
    ),
    page("testing:completion_reports", _case("completion_reports"), READERS),
    page(
        "testing:completion_generate",
        _case("completion_generate"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 302, "contributor_a": 302, "lead_b": 404},
        method="post",
    ),
    page(
        "testing:completion_submit",
        _case("completion_submit", "tcr"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 302, "lead_b": 404},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    endpoint("GET /testing/cases/{key}/rttm", _api("rttm"), {**READERS, "machine": 403}),
    endpoint("GET /testing/cases/{key}/rttm/export", _api("rttm/export"), {**READERS, "machine": 403}),
    endpoint("GET /testing/cases/{key}/rttm/snapshots", _api("rttm/snapshots"), {**READERS, "machine": 403}),
    endpoint(
        "POST /testing/cases/{key}/rttm/snapshots",
        _api("rttm/snapshots"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 201, "admin": 201, "lead_b": 404, "machine": 403},
        method="post",
        data=lambda c: {"gate": "PIT_ENTRY"},
    ),
    endpoint(
        "GET /testing/cases/{key}/rttm/snapshots/{snapshot}",
        _api("rttm/snapshots/{c.rttm_after}"),
        {**READERS, "machine": 403},
    ),
    endpoint(
        "GET /testing/cases/{key}/rttm/snapshots/{snapshot}/export",
        _api("rttm/snapshots/{c.rttm_after}/export"),
        {**READERS, "machine": 403},
    ),
    endpoint(
        "GET /testing/cases/{key}/rttm/compare",
        _api("rttm/compare?before={c.rttm_before}&after={c.rttm_after}"),
        {**READERS, "machine": 403},
    ),
    endpoint("GET /testing/cases/{key}/completion-reports", _api("completion-reports"), {**READERS, "machine": 403}),
    endpoint(
        "POST /testing/cases/{key}/completion-reports",
        _api("completion-reports"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 201, "contributor_a": 201, "lead_b": 404, "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /testing/cases/{key}/completion-reports/{report}/submit",
        _api("completion-reports/{c.tcr}/submit"),
        {**every([*A_MEMBERS, *STAFF], 403), "lead_a": 200, "lead_b": 404, "machine": 403},
        method="post",
    ),
]
