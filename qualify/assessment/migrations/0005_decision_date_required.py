from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessment", "0004_decisions_dated_from_their_meetings")]

    operations = [
        migrations.AlterField(
            model_name="boarddecision",
            name="decided_on",
            field=models.DateField(help_text="The date of the decision (the meeting's date when taken at one)."),
        ),
    ]
