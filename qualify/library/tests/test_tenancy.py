"""A participant sees only its own comments (drafts and submitted); staff see submitted ones only, never drafts."""

from __future__ import annotations

import pytest
import time_machine

from qualify.core.errors import NotAllowed, NotFound
from qualify.library.selectors import comment_get, comment_list
from qualify.library.services import comment_create, comment_update
from qualify.library.tests.helpers import BEFORE_OPENING, DURING, comment, setup_consultation


@pytest.fixture
def setup(cast):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        return setup_consultation()


@pytest.fixture
def comments(cast, setup):
    with time_machine.travel(DURING, tick=False):
        return {
            "a_draft": comment(cast, setup, "contributor_a", clause="1.1", submit=False),
            "a_sent": comment(cast, setup, "lead_a", clause="1.2"),
            "b_draft": comment(cast, setup, "lead_b", clause="2.1", submit=False),
            "b_sent": comment(cast, setup, "lead_b", clause="2.2"),
        }


def _seen(cast, who, setup):
    return {c.clause_reference for c in comment_list(actor=cast.actor(who), consultation=setup.consultation)}


def test_participant_sees_its_own_drafts_and_submitted_comments_only(cast, setup, comments):
    assert _seen(cast, "viewer_a", setup) == {"1.1", "1.2"}
    assert _seen(cast, "lead_b", setup) == {"2.1", "2.2"}


def test_staff_see_submitted_comments_but_never_drafts(cast, setup, comments):
    for who in ("admin", "bsc", "auditor"):
        assert _seen(cast, who, setup) == {"1.2", "2.2"}


def test_another_organisations_comment_is_not_found(cast, comments):
    with pytest.raises(NotFound):
        comment_get(actor=cast.actor("lead_b"), key=comments["a_sent"].uuid)
    with pytest.raises(NotFound):
        comment_get(actor=cast.actor("admin"), key=comments["a_draft"].uuid)


def test_another_organisations_comment_is_404_on_the_page_and_the_api(cast, comments, client_for, token_for):
    hidden = comments["a_draft"].uuid
    assert client_for("lead_b").get(f"/library/comments/{hidden}/").status_code == 404
    assert client_for("admin").get(f"/library/comments/{hidden}/").status_code == 404
    response = client_for(None).get(f"/api/v1/library/comments/{hidden}", **token_for("lead_b"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    missing = client_for(None).get(
        "/api/v1/library/comments/00000000-0000-0000-0000-000000000000", **token_for("lead_b")
    )
    assert missing.json() == response.json()


def test_api_comment_list_is_scoped_like_the_page(cast, setup, comments, client_for, token_for):
    url = f"/api/v1/library/consultations/{setup.consultation.reference}/comments"
    mine = client_for(None).get(url, **token_for("lead_a")).json()["items"]
    staff = client_for(None).get(url, **token_for("bsc")).json()["items"]
    assert {c["clause_reference"] for c in mine} == {"1.1", "1.2"}
    assert {c["clause_reference"] for c in staff} == {"1.2", "2.2"}


def test_consultation_page_lists_only_the_organisations_own_comments(cast, setup, comments, client_for):
    with time_machine.travel(DURING, tick=False):
        page = client_for("lead_a").get(f"/library/consultations/{setup.consultation.uuid}/").content.decode()
    assert page.count('data-testid="own-comment"') == 2 and "2.2" not in page


def test_a_viewer_cannot_comment_for_its_organisation(cast, setup):
    with time_machine.travel(DURING, tick=False), pytest.raises(NotAllowed):
        comment(cast, setup, "viewer_a")


def test_a_participant_cannot_comment_for_another_organisation(cast, setup):
    with time_machine.travel(DURING, tick=False), pytest.raises(NotAllowed):
        comment_create(
            actor=cast.actor("lead_b"),
            consultation=setup.consultation,
            version=setup.version,
            organisation=cast.org_a,
            clause_reference="1",
            text="x",
            category="QUESTION",
        )


def test_a_participant_cannot_change_another_organisations_draft(cast, comments):
    with time_machine.travel(DURING, tick=False), pytest.raises(NotAllowed):
        comment_update(
            actor=cast.actor("lead_b"), comment=comments["a_draft"], clause_reference="9", text="x", category="TYPO"
        )
