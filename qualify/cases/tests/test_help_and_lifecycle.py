"""The lifecycle page draws the transition table as a picture drawn on the server; the help pages explain each
state of a case for each role, from the same table."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from qualify.cases.choices import CaseState
from qualify.cases.help import ROLE_GUIDES, STATE_MEANINGS, state_guide
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.svg_graph import Edge, Node, layout

pytestmark = pytest.mark.django_db


def test_the_lifecycle_page_draws_every_state_and_an_edge_per_transition_as_svg(client_for):
    html = client_for("lead_a").get(reverse("cases:lifecycle")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "mermaid" not in html.lower()
    for state, label in CaseState.choices:
        assert f'data-state="{state}"' in svg
        assert f">{escape(label)}</text>" in svg
    drawn = set(re.findall(r'class="edge" data-transition="([a-z_]+)"', svg))
    assert drawn >= {t.name for t in CASE_WORKFLOW.transitions}
    # A step from every state before qualification is drawn once, from the box standing for them all.
    assert len(re.findall(r'data-transition="withdraw"', svg)) == 1
    assert "<script" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_layout_puts_each_node_below_the_longest_path_to_it_and_draws_cycles_back_up():
    nodes = [Node("a", "A"), Node("b", "B"), Node("c", "C"), Node("d", "D")]
    edges = [
        Edge("a", "b", "ab", "ab"),
        Edge("b", "c", "bc", "bc"),
        Edge("a", "c", "ac", "ac"),
        Edge("c", "b", "cb", "cb"),
    ]
    svg = str(layout(nodes, edges, "a").svg)
    y = {key: float(re.search(rf'data-state="{key}"><rect x="[\d.]+" y="([\d.]+)"', svg).group(1)) for key in "abcd"}
    assert y["a"] < y["b"] < y["c"]  # c is two steps down (a→b→c), not one (a→c)
    assert y["d"] == y["a"]  # unreachable: the top rank
    # The edge back up (c→b) is drawn, dashed, with its arrowhead at b.
    back = re.search(r'data-transition="cb".*?</g>', svg).group(0)
    assert "stroke-dasharray" in back


@pytest.mark.parametrize("role", list(ROLE_GUIDES))
def test_each_roles_help_page_explains_every_state_and_who_to_ask(role):
    response = Client().get(reverse("cases:help_role", args=[role]))
    assert response.status_code == 200
    html = response.content.decode()
    for state, label in CaseState.choices:
        assert f'id="state-{state.lower()}"' in html
        assert escape(label) in html
    assert "Who to ask" in html
    assert ROLE_GUIDES[role].title in html


def test_every_state_has_a_meaning_and_an_unknown_role_has_no_help_page():
    assert set(STATE_MEANINGS) == set(CaseState.values)
    assert Client().get(reverse("cases:help_role", args=["nobody"])).status_code == 404


def test_the_help_index_links_every_role_and_the_site_links_help_and_glossary(client_for):
    html = Client().get(reverse("cases:help")).content.decode()
    for role in ROLE_GUIDES:
        assert reverse("cases:help_role", args=[role]) in html
    home = client_for("lead_a").get(reverse("cases:home")).content.decode()
    assert reverse("cases:help") in home and reverse("core:glossary") in home


def test_each_roles_help_marks_the_steps_that_role_takes():
    def mine(role: str) -> set[str]:
        return {t.name for row in state_guide(ROLE_GUIDES[role]) for t, _, yours in row.steps if yours}

    assert {"submit_final_qad", "withdraw", "answer_final_clarification"} <= mine("lead")
    assert "sign" not in mine("lead")  # the director declares, not the lead
    assert mine("contributor") == {"submit_initial_qad"}
    assert mine("viewer") == set()
    assert {"scope", "query_initial_qad", "agree", "complete_testing"} <= mine("assessor")
    assert {"approve", "refer_back", "revoke"} <= mine("decision-maker")
    assert "approve" not in mine("programme-admin")
    assert {"send_for_approval", "defer", "activate"} <= mine("programme-admin")
