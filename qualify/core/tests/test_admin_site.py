"""The programme administrator can use the admin site as bin/start says: read-only views of the records."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_programme_administrator_reads_records_in_the_admin(cast, client_for):
    client = client_for("admin")  # is_staff, like the demo's programme administrator
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:cases_qualificationcase_changelist") in index.content.decode()
    listing = client.get(reverse("admin:cases_qualificationcase_changelist"))
    assert listing.status_code == 200
    assert cast.case_a.reference in listing.content.decode()
    detail = client.get(reverse("admin:cases_qualificationcase_change", args=[cast.case_a.pk]))
    assert detail.status_code == 200
    assert 'type="submit"' not in detail.content.decode().split('id="content-main"')[1]  # nothing to save


def test_nothing_can_be_changed_or_added_through_the_admin(cast, client_for):
    client = client_for("admin")
    assert client.get(reverse("admin:cases_qualificationcase_add")).status_code == 403
    url = reverse("admin:cases_qualificationcase_change", args=[cast.case_a.pk])
    assert client.post(url, {"state": "QUALIFIED"}).status_code == 403
    assert client.get(reverse("admin:cases_qualificationcase_delete", args=[cast.case_a.pk])).status_code == 403


@pytest.mark.parametrize("who", ["bsc", "lead_a"])
def test_people_not_flagged_for_the_admin_are_sent_to_its_sign_in(client_for, who):
    response = client_for(who).get(reverse("admin:cases_qualificationcase_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
