"""The Qualification Testing catalogue as a governed artefact (DOMAIN.md §9, §10a).

A ``TestCatalogue`` is one version of the Programme's catalogue of QT test cases, loaded from a file
(docs/qt-catalogue-format.md) as a draft and published only once the library has baselined the artefact version of
the same document number and version. Once published it never changes: the model and its queryset refuse updates
and deletes, and its ``CatalogueCase`` rows are written once, when the version is loaded — so a participant's
required set, scoped against a version, keeps meaning the same cases.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from qualify.core.models import PublicIdModel


class ImmutableError(RuntimeError):
    """Raised when code tries to change or remove something a published catalogue freezes."""


class TestCatalogueQuerySet(models.QuerySet["TestCatalogue"]):
    def published(self) -> TestCatalogueQuerySet:
        return self.filter(published_at__isnull=False)

    def update(self, **kwargs: Any) -> int:
        if self.filter(published_at__isnull=False).exists():
            raise ImmutableError("A published test catalogue never changes.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(published_at__isnull=False).exists():
            raise ImmutableError("A published test catalogue cannot be removed.")
        return super().delete()


class TestCatalogue(PublicIdModel):
    """One version of the QT test catalogue (DOMAIN.md §10a: "versioned and consulted on like any artefact").

    ``document_number`` and ``version`` name the library artefact version it is; ``artefact_version`` is linked when
    it is published, which the service allows only while that library version is baselined (DOMAIN.md §9).
    ``batches`` and ``optional_functions`` are the lists the file declares, in its order.
    """

    __test__ = False  # a model, not a pytest test class, despite its name

    version = models.CharField(max_length=8, unique=True, help_text='The catalogue\'s version id, e.g. "1.0".')
    title = models.CharField(max_length=200)
    document_number = models.CharField(max_length=16, help_text="The library artefact, e.g. MHHS-DEL1234.")
    document_status = models.CharField(max_length=40, blank=True, help_text="The status the file states.")
    batches = models.JSONField(default=list, help_text="[{code, title}] in the file's order.")
    optional_functions = models.JSONField(default=list, blank=True, help_text="[{code, title, roles}].")
    source_name = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64)
    case_count = models.PositiveIntegerField(default=0)
    loaded_by_name = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by_name = models.CharField(max_length=200, blank=True)
    artefact_version = models.ForeignKey(
        "library.ArtefactVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="test_catalogues",
        help_text="The baselined library version this catalogue was published as.",
    )

    objects = TestCatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | models.Q(artefact_version__isnull=False),
                name="test_catalogue_published_with_its_artefact",
                violation_error_message="A published catalogue names the library version it was published as.",
            )
        ]

    def __str__(self) -> str:
        return f"QT catalogue v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def batch_title(self, code: str) -> str:
        return next((str(b["title"]) for b in self.batches if b.get("code") == code), code)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and TestCatalogue.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableError("A published test catalogue never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if TestCatalogue.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableError("A published test catalogue cannot be removed.")
        return super().delete(*args, **kwargs)


class CatalogueCaseQuerySet(models.QuerySet["CatalogueCase"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("Catalogue cases are written once, when their catalogue version is loaded.")

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(catalogue__published_at__isnull=False).exists():
            raise ImmutableError("A published catalogue's cases are never removed.")
        return super().delete()

    def for_role(self, role: str) -> CatalogueCaseQuerySet:
        return self.filter(role_codes__contains=f"|{role}|")


class CatalogueCase(models.Model):
    """One test case (``QT-093``): title, roles, segments, batch, requirement references, a summary of its steps,
    its membership of the minimum sets and the optional function it tests, if any (DOMAIN.md §10a).

    ``role_codes`` repeats ``roles`` as ``|SUPPLIER|LDSO|`` so that a page filters by role in SQL on any database.
    """

    catalogue = models.ForeignKey(TestCatalogue, on_delete=models.CASCADE, related_name="cases")
    case_id = models.CharField("test case id", max_length=8)
    title = models.CharField(max_length=200)
    batch = models.CharField(max_length=24)
    batch_position = models.PositiveIntegerField()
    roles = models.JSONField(default=list)
    role_codes = models.CharField(max_length=80)
    segments = models.JSONField(default=list)
    routes = models.JSONField(default=list)
    requirements = models.JSONField(default=list)
    steps = models.TextField()
    minimum_sets = models.JSONField(default=list, blank=True)
    optional_function = models.CharField(max_length=24, blank=True)
    position = models.PositiveIntegerField()

    objects = CatalogueCaseQuerySet.as_manager()

    class Meta:
        ordering = ["catalogue", "batch_position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "case_id"],
                name="catalogue_case_id_unique_in_version",
                violation_error_message="A test case id appears once in a catalogue version.",
            )
        ]
        indexes = [models.Index(fields=["catalogue", "batch_position", "position"], name="catalogue_case_order")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("Catalogue cases are written once, when their catalogue version is loaded.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if TestCatalogue.objects.filter(pk=self.catalogue_id, published_at__isnull=False).exists():
            raise ImmutableError("A published catalogue's cases are never removed.")
        return super().delete(*args, **kwargs)
