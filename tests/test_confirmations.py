"""Nothing irreversible by accident: every form that takes a step which cannot simply be undone asks first.

The irreversible steps are listed once, here (``IRREVERSIBLE``). For each: its form on the page carries the tick box
that ``core/confirm.js`` turns into a dialog (``label.confirm``), and the server refuses to act on a POST without the
confirmation, so the same request that takes the step when confirmed changes nothing when it is not (no audit event,
which every change of state writes). The requests are the permission matrix's own rows (``tests/matrix.py``), set up
by each app's ``prepare``, so a new irreversible form needs no new fixture here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qualify.audit.models import AuditEvent
from tests.test_permission_matrix import GROUP_OF, PREPARES, ROWS, _base

# Each irreversible step's URL name, with why it cannot be undone.
IRREVERSIBLE: dict[str, str] = {
    "accounts:token_revoke": "a revoked API token cannot be restored",
    "cases:transition": "the case steps that ask (workflow Transition.confirm): submissions, sign-off, approval, "
    "withdrawal, suspension, revocation, deferral, non-completion",
    "qad:submit": "an Initial or Final QAD submission is frozen",
    "qad:version_publish": "a published QAD version never changes",
    "qad:invitation_cancel": "a cancelled declaration link stops working",
    "qad:declaration_declare": "a declaration is made once",
    "assessment:decide": "a board decision is part of the record",
    "assessment:decide_case": "a body's dated decision is part of the record",
    "assessment:review_complete": "a completed review counts towards agreement",
    "assessment:query_close": "a closed query can no longer be answered",
    "library:approve": "approval publishes the comments log",
    "library:decision": "a governance decision is part of the record",
    "library:comment_submit": "a submitted comment can no longer be edited",
    "library:no_comments": "a no-comments confirmation is final",
    "library:qwg_report": "the QWG report publishes the log and starts governance",
    "oversight:record_decide": "an Annex 4 step's outcome (a sanction above all) is part of the record",
    "programme:invitation_withdraw": "a withdrawn invitation's link stops working",
    "programme:bulk_apply": "applied onboarding changes are made",
    "testing:proposal_propose": "a proposal goes to the Code Bodies",
    "testing:proposal_withdraw": "a withdrawn proposal is closed",
    "testing:proposal_decide": "each body decides a proposal once",
    "testing:prequalification_submit": "a submitted pre-qualification is frozen",
    "testing:catalogue_publish": "a published catalogue never changes",
    "testing:rttm_snapshot_take": "an RTTM snapshot is frozen with its hash",
    "testing:completion_submit": "a submitted Test Completion Report is frozen",
    "testing:import_apply": "applied runs cannot be taken back",
    "testing:case_rescope": "the new required set replaces the current one",
    "testing:bulk_assure": "accepted runs are assured",
}
# ``cases:transition`` serves every case step; the case page puts the tick box on the steps the workflow marks with
# a confirmation, and the matrix row checked below is one of them (submit_prequalification).
# The declaration is its own two-step page: the first form shows what will be declared, the second confirms it.
OWN_CONFIRMATION_STEP = {"qad:declaration_declare"}
TEMPLATES = Path(__file__).resolve().parents[1] / "qualify"
FORM = re.compile(
    r"<form\b([^>]*\baction=\"(?:\{% url '([a-z_]+:[a-z_]+)'|\{\{ ([a-z_]+) \}\})[^>]*)>(.*?)</form>", re.S
)
# Forms whose action the view reverses once for the page (a context variable, not {% url %}).
ACTION_VARIABLES = {"decide_url": "assessment:decide"}
FORM_ID = re.compile(r'\bid="([^"]+)"')
ASKS = ('class="confirm"', "core/_confirm.html")


def test_every_irreversible_form_on_a_page_carries_the_confirmation_tick_box():
    found: set[str] = set()
    missing: list[str] = []
    for template in TEMPLATES.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for attributes, url_name, variable, body in FORM.findall(text):
            name = url_name or ACTION_VARIABLES.get(variable, "")
            if name in IRREVERSIBLE and name not in OWN_CONFIRMATION_STEP:
                found.add(name)
                # A form whose fields sit elsewhere on the page (``form="id"``) carries its tick box there.
                named = FORM_ID.search(attributes)
                outside = bool(named) and re.search(rf'name="confirm"[^>]*form="{named.group(1)}"', text) is not None
                if not any(mark in body for mark in ASKS) and not outside:
                    missing.append(f"{template.relative_to(TEMPLATES)}: {name}")
    assert not missing, "irreversible forms without a confirmation: " + ", ".join(missing)
    # The bulk onboarding's form posts to its own page (no action); every other irreversible step has a form above.
    assert set(IRREVERSIBLE) - found <= {"programme:bulk_apply", *OWN_CONFIRMATION_STEP}


def _without_confirmation(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "confirm"}


def _rows(group: str) -> list[Any]:
    return [r for r in ROWS if r.name in IRREVERSIBLE and GROUP_OF.get(r.name, "") == group and r.method == "post"]


GROUPS = sorted({GROUP_OF.get(r.name, "") for r in ROWS if r.name in IRREVERSIBLE and r.method == "post"})


def test_every_irreversible_step_is_in_the_permission_matrix():
    rows = {r.name for r in ROWS if r.method == "post"}
    assert set(IRREVERSIBLE) <= rows, set(IRREVERSIBLE) - rows


def _who(row: Any) -> str:
    """The person the matrix lets through (a redirect), first the participant's lead, then staff."""
    for who, status in row.expect.items():
        if who is not None and status == 302:
            return str(who)
    for who, status in row.expect.items():
        if who is not None and status in (200, 409):
            return str(who)
    raise AssertionError(f"{row.name}: nobody may take this step in the matrix")


@pytest.mark.parametrize("group", GROUPS)
def test_an_irreversible_step_sent_without_its_confirmation_changes_nothing(cast, group):
    cast = _base(cast)
    if group:
        PREPARES[group](cast)
    took_effect: list[str] = []
    for row in _rows(group):
        client = Client()
        client.force_login(cast.user(_who(row)))
        url, data = row.url(cast), row.data(cast)
        assert data.get("confirm"), f"{row.name}: the matrix row does not confirm its step"
        with transaction.atomic():
            before = AuditEvent.objects.count()
            asked = client.post(url, _without_confirmation(data))
            assert AuditEvent.objects.count() == before, f"{row.name} acted without its confirmation"
            if asked.status_code == 200:  # the confirmation page, holding the form's fields to send again
                page = asked.content.decode()
                assert 'data-testid="confirmation-page"' in page, f"{row.name}: {asked.status_code}"
                assert 'name="confirm" value="on"' in page
            else:  # an older form's refusal: back to its page with a message to tick the box
                assert asked.status_code in (302, 400, 403, 409, 422), f"{row.name}: {asked.status_code}"
            client.post(url, data)
            if AuditEvent.objects.count() > before:
                took_effect.append(row.name)
            transaction.set_rollback(True)
    # The same request, confirmed, really takes the step for most of them (a few matrix rows are refused by their
    # state, which the matrix only needs to reach): the check above is on live steps, not on dead ends.
    if _rows(group):
        assert took_effect, f"no irreversible step of {group or 'the foundation'} took effect when confirmed"
