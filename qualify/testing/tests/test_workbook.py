"""A catalogue can also come as an Excel workbook; its problems are named by sheet, row and column."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualify.core.errors import ValidationFailed
from qualify.testing.loader import parse_catalogue
from qualify.testing.models import CatalogueCase, TestCatalogue
from qualify.testing.services import catalogue_check
from qualify.testing.tests.helpers import sample_text, sample_workbook


def _problems(data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(ValidationFailed) as invalid:
        catalogue_check(data=data)
    details = invalid.value.details
    assert isinstance(details, dict)
    return [(p["line"], p["field"], p["message"]) for p in details["problems"]]


def test_the_sample_as_a_workbook_reads_exactly_as_the_yaml_file():
    assert catalogue_check(data=sample_workbook()) == parse_catalogue(sample_text())


def test_a_wrong_cell_is_named_by_sheet_row_and_column():
    def edit(sheets):  # type: ignore[no-untyped-def]
        sheets["cases"][4][2] = "MIGRATON"  # row 5: the header is row 1
        sheets["cases"][6][4] = "SMART; LEGACY"

    assert _problems(sample_workbook(edit=edit)) == [
        (5, "cases sheet, column batch", "'MIGRATON' is not one of the batches listed (FUNCTIONAL_1, FUNCTIONAL_2, "
         "FUNCTIONAL_3, MIGRATION, DIP, NON_FUNCTIONAL)"),
        (7, "cases sheet, column segments", "'LEGACY' is not one of SMART, ADVANCED, UMS"),
    ]  # fmt: skip


def test_a_missing_sheet_an_unknown_column_and_a_bad_catalogue_field_are_named():
    def edit(sheets):  # type: ignore[no-untyped-def]
        del sheets["batches"]
        sheets["cases"][0].append("owner")
        sheets["catalogue"][3][1] = "9001"  # the document number, row 4
        sheets["catalogue"].append(["colour", "blue"])

    problems = _problems(sample_workbook(edit=edit))
    assert (1, "cases sheet, column owner", "is not a known column (id, title, batch, roles, segments, routes, "
            "requirements, steps, minimum_sets, optional_function)") in problems  # fmt: skip
    assert (1, "batches sheet", "is missing") in problems
    assert (4, "catalogue sheet, document", "'9001' is not in the expected form (e.g. MHHS-DEL1234)") in problems
    assert (6, "catalogue sheet, colour", "is not a known field") in problems


def test_a_damaged_workbook_and_a_binary_file_are_refused_in_words():
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really")
    assert _problems(damaged.getvalue()) == [(1, "(file)", "is not an Excel workbook that can be read")]
    assert _problems(b"\xff\xfe\x00binary") == [(1, "(file)", "is not UTF-8 text")]


def test_an_administrator_uploads_a_workbook_on_the_page(cast, client_for):
    response = client_for("admin").post(
        reverse("testing:catalogue_upload"),
        {"file": SimpleUploadedFile("catalogue.xlsx", sample_workbook())},
    )
    assert response.status_code == 302
    catalogue = TestCatalogue.objects.get(version="1.0")
    assert catalogue.case_count == CatalogueCase.objects.filter(catalogue=catalogue).count() == 69
    assert catalogue.source_name == "catalogue.xlsx"
