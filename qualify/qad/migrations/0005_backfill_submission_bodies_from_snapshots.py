"""Record the owning bodies of every existing submission, counted from its frozen snapshot.

New submissions get their rows from ``submission_create``; this fills them in for those made before the table existed.
It reads each snapshot once, in batches, and skips a submission that already has its rows, so it can run again.
Going back removes the rows (the schema step before it drops the table).
"""

import json
from collections import Counter

from django.db import migrations

BATCH = 200


def backfill(apps, schema_editor):
    QadSubmission = apps.get_model("qad", "QadSubmission")
    SubmissionBody = apps.get_model("qad", "SubmissionBody")
    missing = list(QadSubmission.objects.filter(bodies__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(missing), BATCH):
        batch = QadSubmission.objects.filter(pk__in=missing[start : start + BATCH]).values_list("pk", "content")
        rows = []
        for submission_id, content in batch:
            owners = Counter(str(q["owner"]) for q in json.loads(content)["questions"])
            rows.extend(
                SubmissionBody(submission_id=submission_id, body=body, questions=n)
                for body, n in sorted(owners.items())
            )
        SubmissionBody.objects.bulk_create(rows)


def forget(apps, schema_editor):
    apps.get_model("qad", "SubmissionBody").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("qad", "0004_submission_bodies_count_owned_questions")]
    operations = [migrations.RunPython(backfill, forget)]
