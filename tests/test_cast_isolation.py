"""The shared cast (built once per module, see conftest.py) must not carry one test's changes into the next.

The tests run in the order written: the first changes the cast in the database and in memory, the second checks that
it sees the cast exactly as built.
"""

from __future__ import annotations

from django.db import connection

from qualify.cases.models import QualificationCase
from qualify.core.actor import system_actor
from qualify.participants.models import Organisation
from qualify.participants.services import organisation_create


def test_a_test_may_change_the_cast(cast):
    cast.case_a.state = "WITHDRAWN"
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="WITHDRAWN")
    cast.org_a.name = "Changed in memory"
    organisation_create(actor=system_actor("test"), name="Left behind by the first test Ltd")
    assert connection.in_atomic_block


def test_the_next_test_sees_the_cast_as_it_was_built(cast):
    assert cast.case_a.state == "DRAFT"
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == "DRAFT"
    assert cast.org_a.name == "Northwind Energy Ltd"
    assert not Organisation.objects.filter(name="Left behind by the first test Ltd").exists()


def test_each_test_gets_its_own_copies_of_the_rows(cast, module_cast):
    assert module_cast is not None, "this module commits nothing for real, so its cast is shared"
    assert cast.case_a == module_cast.case_a and cast.case_a is not module_cast.case_a
    assert cast.users["lead_a"] is not module_cast.users["lead_a"]
