"""Reading results imports: a case's imports and one import, for whoever may see the case (404 otherwise)."""

from __future__ import annotations

from django.db.models import QuerySet

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.testing.models import ResultImport


def import_case_get(*, actor: Actor, key: str) -> QualificationCase:
    """The case by reference or UUID, within the actor's scope (NotFound otherwise, as for every case)."""
    return case_get(actor=actor, key=key)


def result_import_list(*, actor: Actor, case: QualificationCase) -> QuerySet[ResultImport]:
    """The case's imports, newest first, without their previews (the kept rows can be megabytes)."""
    return ResultImport.objects.visible_to(actor).filter(case=case).defer("preview").order_by("-created_at", "-pk")


def result_import_get(*, actor: Actor, case: QualificationCase, key: str) -> ResultImport:
    public_id = parse_uuid(key)
    found = (
        ResultImport.objects.visible_to(actor).filter(case=case, uuid=public_id).select_related("case").first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound("No such results import.")
    return found
