"""Comments answered before the Code Bodies could answer were answered by the Programme: say so on each answer."""

from django.db import migrations


def forwards(apps, schema_editor):
    Comment = apps.get_model("library", "Comment")
    Comment.objects.exclude(outcome="").filter(answered_for="").update(answered_for="PROGRAMME")


def backwards(apps, schema_editor):
    Comment = apps.get_model("library", "Comment")
    Comment.objects.filter(answered_for="PROGRAMME").update(answered_for="")


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_answers_record_who_answered_and_for_which_body"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
