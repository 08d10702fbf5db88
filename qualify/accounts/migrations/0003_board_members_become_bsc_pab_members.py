"""The single "board member" role is gone: each approving body's decisions are recorded by its own decision-makers.

Existing board members become BSC Panel (PAB) members, the board they served (the calendar's meetings were the BSC
PAB's). Reversing turns every per-body decision-maker back into a board member.
"""

from django.db import migrations

OLD = "BOARD_MEMBER"
NEW = "BSC_PAB_MEMBER"
DECIDERS = ["DIP_DECISION_MAKER", "BSC_PAB_MEMBER", "REC_DECISION_MAKER", "QAG_MEMBER"]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    User.objects.filter(staff_role=OLD).update(staff_role=NEW)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    User.objects.filter(staff_role__in=DECIDERS).update(staff_role=OLD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_roles_per_body_deciders")]

    operations = [migrations.RunPython(forward, backward)]
