"""Every decision recorded so far was taken at a meeting: date it by that meeting (reversible: the date is dropped)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    BoardDecision = apps.get_model("assessment", "BoardDecision")
    AgendaItem = apps.get_model("assessment", "AgendaItem")
    meets_on = AgendaItem.objects.filter(pk=OuterRef("agenda_item_id")).values("meeting__meets_on")[:1]
    BoardDecision.objects.filter(decided_on__isnull=True).update(decided_on=Subquery(meets_on))


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    pass  # the column is dropped by reversing the migration that added it


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_per_body_decisions_and_review_completion")]

    operations = [migrations.RunPython(forward, backward)]
