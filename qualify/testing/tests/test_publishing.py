"""The catalogue is a governed artefact: loaded as a draft, published only once its library version is baselined,
and never changed once published (DOMAIN.md §9, §10a)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.testing.models import CatalogueCase, ImmutableError, TestCatalogue
from qualify.testing.services import catalogue_load, catalogue_publish
from qualify.testing.tests.helpers import (
    SAMPLE,
    bsc_pab_member,
    library_version,
    load,
    programme,
    publish_sample,
    sample_text,
)


def test_the_sample_catalogue_loads_with_every_case_in_batch_order(db):
    catalogue = load()
    assert catalogue.case_count == CatalogueCase.objects.filter(catalogue=catalogue).count() >= 60
    roles = {r for c in CatalogueCase.objects.filter(catalogue=catalogue) for r in c.roles}
    assert roles == {"SUPPLIER", "LDSO", "MEM", "SDS", "ADS", "UMSDS"}
    batches = [b["code"] for b in catalogue.batches]
    ordered = list(CatalogueCase.objects.filter(catalogue=catalogue).values_list("batch", flat=True))
    assert ordered == sorted(ordered, key=batches.index)
    assert not catalogue.is_published


def test_a_catalogue_whose_library_version_is_missing_is_not_published(db):
    catalogue = load()
    with pytest.raises(ValidationFailed, match=r"MHHS-DEL9001 v1\.0, which the library does not have") as refused:
        catalogue_publish(actor=programme(), catalogue=catalogue)
    assert refused.value.code == "artefact_not_baselined"
    assert not TestCatalogue.objects.get(pk=catalogue.pk).is_published


def test_a_catalogue_is_published_only_once_its_library_version_is_baselined(db):
    pending = library_version("1.0", baselined=False)
    catalogue = load()
    with pytest.raises(ValidationFailed, match="which is approved by the programme: publish it once the library"):
        catalogue_publish(actor=programme(), catalogue=catalogue)
    from qualify.library.choices import GoverningBody
    from qualify.library.services import approval_record

    approval_record(
        actor=bsc_pab_member(),
        version=pending,
        body=GoverningBody.BSC_PAB,
        decision="APPROVE",
        decided_on=pending.created_at.date(),
        minutes_reference="PAB-QT-2",
    )
    published = catalogue_publish(actor=programme(), catalogue=catalogue)
    assert published.is_published
    assert published.artefact_version == pending


def test_a_published_catalogue_never_changes(db):
    catalogue = publish_sample()
    catalogue.title = "Edited"
    with pytest.raises(ImmutableError):
        catalogue.save()
    with pytest.raises(ImmutableError):
        TestCatalogue.objects.filter(pk=catalogue.pk).update(title="Edited")
    with pytest.raises(ImmutableError):
        catalogue.delete()
    with pytest.raises(ImmutableError):
        TestCatalogue.objects.filter(pk=catalogue.pk).delete()
    case = CatalogueCase.objects.filter(catalogue=catalogue).first()
    assert case is not None
    case.title = "Edited"
    with pytest.raises(ImmutableError):
        case.save()
    with pytest.raises(ImmutableError):
        CatalogueCase.objects.filter(pk=case.pk).update(title="Edited")
    with pytest.raises(ImmutableError):
        case.delete()
    with pytest.raises(ImmutableError):
        CatalogueCase.objects.filter(catalogue=catalogue).delete()
    assert TestCatalogue.objects.get(pk=catalogue.pk).title == "Qualification Testing catalogue (sample)"


def test_loading_a_published_version_again_is_refused(db):
    publish_sample()
    with pytest.raises(ValidationFailed, match="published and never changes") as refused:
        load()
    assert refused.value.code == "catalogue_published"


def test_publishing_twice_is_refused(db):
    catalogue = publish_sample()
    with pytest.raises(ValidationFailed, match="already published"):
        catalogue_publish(actor=programme(), catalogue=catalogue)


def test_loading_a_draft_again_replaces_it(db):
    first = load()
    second = load(text=sample_text().replace("title: Qualification Testing catalogue (sample)", "title: Second"))
    assert list(TestCatalogue.objects.values_list("title", flat=True)) == ["Second"]
    assert second.pk != first.pk
    assert CatalogueCase.objects.count() == second.case_count


def test_only_a_programme_administrator_loads_or_publishes(cast):
    with pytest.raises(NotAllowed, match="Only a programme administrator"):
        catalogue_load(actor=cast.actor("bsc"), text=sample_text())
    catalogue = load()
    with pytest.raises(NotAllowed):
        catalogue_publish(actor=cast.actor("lead_a"), catalogue=catalogue)
    assert not TestCatalogue.objects.get(pk=catalogue.pk).is_published


def test_the_command_loads_and_publishes_a_catalogue(db):
    library_version("1.0")
    out = StringIO()
    call_command("load_qt_catalogue", str(SAMPLE), "--publish", stdout=out)
    assert "Test catalogue v1.0 (MHHS-DEL9001) published: 69 cases." in out.getvalue()
    assert TestCatalogue.objects.get(version="1.0").is_published


def test_the_command_names_each_problem_with_its_line(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(sample_text().replace("batch: MIGRATION", "batch: MIGRATON", 1), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_qt_catalogue", str(bad), stdout=StringIO(), stderr=err)
    assert "bad.yaml:" in err.getvalue() and ".batch: 'MIGRATON' is not one of the batches listed" in err.getvalue()
    assert not TestCatalogue.objects.exists()


def test_the_command_refuses_to_publish_before_the_baseline_and_stores_nothing(db):
    with pytest.raises(CommandError, match="which the library does not have"):
        call_command("load_qt_catalogue", str(SAMPLE), "--publish", stdout=StringIO(), stderr=StringIO())
    assert not TestCatalogue.objects.exists()
