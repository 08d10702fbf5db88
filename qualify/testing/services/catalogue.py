"""Every write to the QT test catalogue: load a version from a file, publish it (DOMAIN.md §9, §10a).

Each service checks its permission (qualify/testing/permissions.py), runs in one transaction and writes an audit
event. Nothing is stored while a file has a problem; a published version never changes.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.library.choices import VersionStatus
from qualify.library.models import ArtefactVersion
from qualify.testing.loader import CatalogueFileInvalid, CatalogueSpec, parse_catalogue
from qualify.testing.models import CatalogueCase, TestCatalogue
from qualify.testing.permissions import can_manage_catalogues
from qualify.testing.workbook import is_workbook, parse_workbook

# A catalogue file is text a person wrote; far larger than any real one is refused before it is parsed.
MAX_FILE_CHARS = 5_000_000


def _too_large(size: int, unit: str) -> ValidationFailed:
    return ValidationFailed(
        f"The catalogue file is {size:,} {unit} long; at most {MAX_FILE_CHARS:,} are accepted.",
        details={"problems": [{"line": 1, "field": "(file)", "message": "is too large"}]},
        code="catalogue_file_invalid",
    )


def catalogue_check(*, text: str = "", data: bytes | None = None) -> CatalogueSpec:
    """Validate a catalogue file without storing anything; ValidationFailed lists every problem with its line.

    ``text`` is YAML or JSON; ``data`` is a file's bytes: an Excel workbook, or UTF-8 YAML or JSON.
    """
    if data is not None and len(data) > MAX_FILE_CHARS:
        raise _too_large(len(data), "bytes")
    if data is not None and not is_workbook(data):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "The file is neither an Excel workbook nor UTF-8 text; save it as .xlsx, or as UTF-8 YAML or JSON.",
                details={"problems": [{"line": 1, "field": "(file)", "message": "is not UTF-8 text"}]},
                code="catalogue_file_invalid",
            ) from exc
        data = None
    if len(text) > MAX_FILE_CHARS:
        raise _too_large(len(text), "characters")
    try:
        return parse_workbook(data) if data is not None else parse_catalogue(text)
    except CatalogueFileInvalid as invalid:
        raise invalid.failed("The catalogue file", code="catalogue_file_invalid") from invalid


@transaction.atomic
def catalogue_load(
    *, actor: Actor, text: str = "", data: bytes | None = None, source_name: str = "", publish: bool = False
) -> TestCatalogue:
    """Load a catalogue file as a draft (replacing an earlier draft of the same version), optionally publishing it.

    ``text`` is YAML or JSON; ``data`` a file's bytes (an Excel workbook, or UTF-8 YAML or JSON). A published version
    never changes: loading a file with a published version id is refused.
    """
    can_manage_catalogues(actor).enforce()
    spec = catalogue_check(text=text, data=data)
    existing = TestCatalogue.objects.select_for_update().filter(version=spec.version).first()
    if existing is not None and existing.is_published:
        raise ValidationFailed(
            f"Test catalogue v{spec.version} is published and never changes; give the new file a new version.",
            details={"version": "published"},
            code="catalogue_published",
        )
    if existing is not None:
        existing.delete()
    batch_position = {b.code: index for index, b in enumerate(spec.batches)}
    catalogue = TestCatalogue.objects.create(
        version=spec.version,
        title=spec.title,
        document_number=spec.document,
        document_status=spec.status,
        batches=[{"code": b.code, "title": b.title, "qad_questions": b.qad_questions} for b in spec.batches],
        optional_functions=[{"code": o.code, "title": o.title, "roles": o.roles} for o in spec.optional_functions],
        source_name="".join(ch for ch in source_name if ch.isprintable())[:200],
        source_sha256=hashlib.sha256(data if data is not None else text.encode("utf-8")).hexdigest(),
        case_count=len(spec.cases),
        loaded_by_name=actor.display_name[:200],
    )
    CatalogueCase.objects.bulk_create(
        CatalogueCase(
            catalogue=catalogue,
            case_id=c.case_id,
            title=c.title,
            batch=c.batch,
            batch_position=batch_position[c.batch],
            roles=c.roles,
            role_codes="|" + "|".join(c.roles) + "|",
            segments=c.segments,
            routes=c.routes,
            requirements=c.requirements,
            steps=c.steps,
            minimum_sets=c.minimum_sets,
            optional_function=c.optional_function,
            position=position,
        )
        for position, c in enumerate(spec.cases)
    )
    audit_record(
        actor=actor,
        action="testing.catalogue.load",
        target=catalogue,
        organisation_id=None,
        changes={
            "version": spec.version,
            "document": spec.document,
            "cases": len(spec.cases),
            "sha256": catalogue.source_sha256,
        },
    )
    if publish:
        catalogue = catalogue_publish(actor=actor, catalogue=catalogue)
    return catalogue


def _baselined_version(catalogue: TestCatalogue) -> ArtefactVersion:
    """The library version this catalogue is (same document number and version), provided it is baselined."""
    found = (
        ArtefactVersion.objects.select_related("artefact")
        .filter(artefact__document_number=catalogue.document_number, version=catalogue.version)
        .first()
    )
    name = f"{catalogue.document_number} v{catalogue.version}"
    if found is None:
        raise ValidationFailed(
            f"Test catalogue v{catalogue.version} is {name}, which the library does not have: add that version to "
            "the library, take it through consultation and governance, and publish the catalogue once it is "
            "baselined.",
            details={"artefact_version": "missing"},
            code="artefact_not_baselined",
        )
    if found.status != VersionStatus.BASELINED:
        raise ValidationFailed(
            f"Test catalogue v{catalogue.version} is {name}, which is {found.get_status_display().lower()}: "
            "publish it once the library has baselined it.",
            details={"artefact_version": found.status},
            code="artefact_not_baselined",
        )
    return found


@transaction.atomic
def catalogue_publish(*, actor: Actor, catalogue: TestCatalogue) -> TestCatalogue:
    """Publish a loaded catalogue version: from now on it never changes (DOMAIN.md §9: only a baselined version)."""
    can_manage_catalogues(actor).enforce()
    locked = TestCatalogue.objects.select_for_update().get(pk=catalogue.pk)
    if locked.is_published:
        raise ValidationFailed(f"Test catalogue v{locked.version} is already published.", code="catalogue_published")
    artefact_version = _baselined_version(locked)
    locked.artefact_version = artefact_version
    locked.published_at = timezone.now()
    locked.published_by_name = actor.display_name[:200]
    locked.save(update_fields=["artefact_version", "published_at", "published_by_name", "updated_at"])
    audit_record(
        actor=actor,
        action="testing.catalogue.publish",
        target=locked,
        organisation_id=None,
        changes={"published": True, "artefact_version": f"{locked.document_number} v{locked.version}"},
    )
    return locked
