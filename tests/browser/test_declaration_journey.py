"""The director declares in person, in a real browser: the lead invites them from the QAD page once the content is
agreed, the director opens the e-mailed link, creates their own account, reads the snapshot with its hash, confirms
and declares, and the case is signed. The pages are checked at 1400 px and 390 px wide."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import PASSWORD
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.qad.models import QadDeclaration
from qualify.qad.services import submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample
from qualify.testing.tests.helpers import prequalify, satisfy_testing_gates

pytestmark = pytest.mark.browser

DIRECTOR = "dana.director@northwind.test"
WIDTHS = (1400, 390)


def agreed_case(cast):  # type: ignore[no-untyped-def]
    admin, lead = cast.actor("admin"), cast.actor("lead_a")
    case = cast.case_a
    prequalify(case)  # the pre-qualification form, submitted with its case step
    # A Code Body assessor confirms scope (qualify/testing/apps.py).
    case = case_transition(actor=cast.actor("bsc"), case=case, name="scope", comment="scope for the journey")
    case = case_transition(actor=admin, case=case, name="start_pit", comment="start_pit for the journey")
    response = open_qad(case, lead)
    complete(response, lead)
    submission_create(actor=lead, response=response, kind="INITIAL")
    satisfy_testing_gates(case)
    case_transition(actor=cast.actor("bsc"), case=case, name="start_testing", comment="testing for the journey")
    case_transition(actor=cast.actor("bsc"), case=case, name="complete_testing", comment="QT exit for the journey")
    final = submission_create(actor=lead, response=response, kind="FINAL")
    # Set-up only: the Code Bodies' agreement is the assessment app's journey, not this one.
    QualificationCase.objects.filter(pk=case.pk).update(state="AGREED")
    return QualificationCase.objects.get(pk=case.pk), final


def fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    """At this width the page does not scroll sideways."""
    page.set_viewport_size({"width": width, "height": 900})
    wide = page.evaluate(
        """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.getAttribute('data-testid') || '')
        + ' ' + Math.round(e.getBoundingClientRect().right))""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"wider than {width} px: {wide}"


def test_lead_invites_the_director_who_signs_up_and_declares(browser, live_server, live_cast):
    from playwright.sync_api import expect

    publish_sample()
    case, final = agreed_case(live_cast)

    # The lead names the director from the case's QAD page.
    lead = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB").new_page()
    lead.goto(f"{live_server.url}/accounts/login/")
    lead.get_by_label("E-mail").fill("lead@northwind.test")
    lead.get_by_label("Password").fill(PASSWORD)
    lead.get_by_role("button", name="Sign in").click()
    lead.wait_for_url(f"{live_server.url}/")
    lead.goto(f"{live_server.url}/qad/cases/{case.reference}/")
    card = lead.get_by_test_id("declaration-card")
    expect(card).to_contain_text("a delegate may not declare for this role")
    for width in WIDTHS:
        fits(lead, width)
    lead.set_viewport_size({"width": 1400, "height": 900})
    card.get_by_label("Director's e-mail address").fill(DIRECTOR)
    card.get_by_label("Director's name (optional)").fill("Dana Director")
    card.get_by_role("button", name="Send the invitation").click()
    expect(lead.get_by_text(f"Invitation sent to {DIRECTOR}.")).to_be_visible()
    expect(lead.get_by_test_id("invitation-status")).to_have_text("Sent, not yet opened")
    for width in WIDTHS:
        fits(lead, width)

    # The director opens the e-mailed link in a browser of their own.
    sent = [m for m in mail.outbox if DIRECTOR in m.to]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/qad/invitation/\S+/", sent[0].body)
    assert link is not None, sent[0].body
    director = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-GB").new_page()
    director.goto(link.group(0))
    expect(director.get_by_test_id("invitation")).to_contain_text(f"invited {DIRECTOR}")
    for width in WIDTHS:
        fits(director, width)
    director.get_by_label("Your full name").fill("Dana Director")
    director.get_by_label("Choose a password").fill("Declare-in-person-2026")
    director.get_by_label("The password again").fill("Declare-in-person-2026")
    director.get_by_role("button", name="Create my account and continue").click()

    # The snapshot, with its hash, then the declaration with a confirmation before it is made.
    expect(director.get_by_test_id("sha256")).to_have_text(final.sha256)
    expect(director.get_by_text("1.1", exact=True).first).to_be_visible()
    for width in WIDTHS:
        fits(director, width)
    director.get_by_label("Your position in the organisation").fill("Chief Executive")
    director.get_by_label(re.compile("I have read this Final QAD snapshot")).check()
    director.get_by_role("button", name="Continue").click()
    confirm = director.get_by_test_id("declaration-confirm")
    expect(confirm).to_contain_text(final.sha256)
    for width in WIDTHS:
        fits(director, width)
    assert not QadDeclaration.objects.exists()
    confirm.get_by_role("button", name="Yes, make my declaration").click()
    expect(director.get_by_text("the case is signed")).to_be_visible()
    expect(director.get_by_test_id("declaration")).to_contain_text(final.sha256)
    for width in WIDTHS:
        fits(director, width)

    declaration = QadDeclaration.objects.select_related("signatory").get()
    assert declaration.signatory is not None and declaration.signatory.email == DIRECTOR
    assert QualificationCase.objects.get(pk=case.pk).state == "SIGNED"

    # The lead sees it declared.
    lead.reload()
    expect(lead.get_by_test_id("invitation-status")).to_have_text("Declared")
    lead.goto(f"{live_server.url}/qad/submissions/{final.reference}/")
    expect(lead.get_by_test_id("declaration")).to_contain_text("Dana Director")
    for width in WIDTHS:
        fits(lead, width)
