"""Keep a submission's body shares only for the bodies that approve its role.

A body assesses a question only for the roles it approves (DOMAIN.md §2, §6); the questions it owns for other roles
are advisory and put nothing in its review queue. Submissions made before the rule was kept may have a share for such
a body (e.g. the BSC on a MEM's QAD): this removes those rows. The shares of approving bodies were counted right
already. Going back counts the removed shares again from each snapshot.

The approval matrix is copied here as it stood when this migration was written, so the migration keeps meaning the
same thing whatever the table in qualify/qad/choices.py becomes.
"""

import json
from collections import Counter

from django.db import migrations

BATCH = 200
APPROVALS_BY_ROLE = {
    "SUPPLIER": ("DIP", "BSC", "REC"),
    "LDSO": ("DIP", "BSC", "REC"),
    "MEM": ("DIP", "REC"),
    "SDS": ("DIP", "BSC"),
    "ADS": ("DIP", "BSC"),
    "UMSDS": ("DIP", "BSC"),
}


def _roles(apps):
    """(submission id, role) for every submission, read in one query."""
    QadSubmission = apps.get_model("qad", "QadSubmission")
    return QadSubmission.objects.order_by("pk").values_list("pk", "case__participation__role")


def drop_unapproved(apps, schema_editor):
    SubmissionBody = apps.get_model("qad", "SubmissionBody")
    by_role: dict[str, list[int]] = {}
    for submission_id, role in _roles(apps):
        by_role.setdefault(role, []).append(submission_id)
    for role, ids in by_role.items():
        approving = APPROVALS_BY_ROLE.get(role, ("DIP", "BSC", "REC"))
        for start in range(0, len(ids), BATCH):
            SubmissionBody.objects.filter(submission_id__in=ids[start : start + BATCH]).exclude(
                body__in=approving
            ).delete()


def count_again(apps, schema_editor):
    QadSubmission = apps.get_model("qad", "QadSubmission")
    SubmissionBody = apps.get_model("qad", "SubmissionBody")
    ids = [pk for pk, _role in _roles(apps)]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        recorded = set(SubmissionBody.objects.filter(submission_id__in=chunk).values_list("submission_id", "body"))
        rows = []
        for submission_id, content in QadSubmission.objects.filter(pk__in=chunk).values_list("pk", "content"):
            owners = Counter(str(q["owner"]) for q in json.loads(content)["questions"])
            rows.extend(
                SubmissionBody(submission_id=submission_id, body=body, questions=n)
                for body, n in sorted(owners.items())
                if (submission_id, body) not in recorded
            )
        SubmissionBody.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("qad", "0007_questions_advisory_and_only_with_exemptions")]
    operations = [migrations.RunPython(drop_unapproved, count_again)]
