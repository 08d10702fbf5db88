"""Lists people work through: columns that sort, pages, and downloads of exactly what the filter shows.

A list declares itself once as a ``Listing``: its columns (the heading in words, the value a download writes, and, for
a column that sorts, the fields it orders by), its default order and its page size. The page and its download then
share everything but the rows' look:

- ``sort`` in the query string names a column's key, ``-key`` for descending. A key the list does not offer is a
  ``BadFilter`` (400 page with the reason), like any other filter value that cannot name anything: a mistyped link
  should say so rather than quietly show another order.
- Ties are broken by the primary key in the same direction, so a page boundary is always one row, and a keyset page
  (``core.keyset``, the overview) may order by any column: a label order or a coalesced nullable field is an
  annotation whose output field reads the cursor back.
- ``nav(...)`` gives the template the header links (each keeps the filters, drops the page, and turns the current
  column's direction round), ``aria-sort`` for the sorted one, the pager links and the two download links, which carry
  the filters and the sort but not the page: a download holds the whole filtered list in the page's order.
- ``export(...)`` streams CSV and writes Excel in write-only mode, a bounded number of rows (``max_rows``); past it
  the file ends with a line saying it was cut, and the page says so beside the links. Its rows come from the list's
  own selector (``visible_to``), so a participant's download holds only its own organisation's rows, and from one
  query read in chunks whatever the length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core.paginator import Page
from django.db.models import Case, Expression, IntegerField, Model, QuerySet, Value, When
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse

from qualify.core.filters import BadFilter
from qualify.core.spreadsheet import csv_stream, xlsx_file
from qualify.core.text import one_line

M = TypeVar("M", bound=Model)

SORT = "sort"
PAGE = "page"
CURSOR = "cursor"
MAX_PER_PAGE = 200
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def label_order(path: str, choices: Sequence[tuple[str, Any]]) -> Expression:
    """An ordering by a choice field's labels (the words people read) rather than its codes."""
    ranked = sorted(choices, key=lambda pair: str(pair[1]).casefold())
    return choice_order(path, [value for value, _ in ranked])


def choice_order(path: str, values: Sequence[str]) -> Expression:
    """An ordering by a choice field in the order given (a lifecycle's states in their order); others last."""
    whens = [When(**{path: value}, then=Value(rank)) for rank, value in enumerate(values)]
    return Case(*whens, default=Value(len(values)), output_field=IntegerField())


@dataclass(frozen=True)
class Column(Generic[M]):
    """One column: its heading, the value a download writes for a row (``None``: shown on the page only), and for a
    column that sorts, its key in the URL and the fields (or annotations) it orders by, ascending."""

    label: str
    value: Callable[[M], Any] | None = None
    key: str = ""
    order: tuple[str, ...] = ()
    annotations: Mapping[str, Any] = field(default_factory=dict)
    on_page: bool = True

    @property
    def sortable(self) -> bool:
        return bool(self.key)


@dataclass(frozen=True)
class Sort(Generic[M]):
    column: Column[M]
    descending: bool

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.column.key


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


@dataclass(frozen=True)
class Listing(Generic[M]):
    """A list's columns, its default order (a ``sort`` value), its page size and the most rows a download holds.
    ``group`` orders first whatever the sort (the library lists its documents under their themes)."""

    name: str
    noun: str
    columns: tuple[Column[M], ...]
    default: str
    group: tuple[str, ...] = ()
    per_page: int = 50
    max_rows: int = 10_000

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns if c.key]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.name}: two columns share a sort key")
        if not 0 < self.per_page <= MAX_PER_PAGE:
            raise ValueError(f"{self.name}: a page holds 1 to {MAX_PER_PAGE} rows")
        self.sort_of(self.default)  # a default that names no column fails at import, not on a page

    def sort_of(self, value: str) -> Sort[M]:
        """The sort a ``sort`` value names; ``BadFilter`` (400) for a key the list does not offer."""
        text = str(value or "").strip() or self.default
        key = text[1:] if text.startswith("-") else text
        column = next((c for c in self.columns if c.key and c.key == key), None)
        if column is None:
            offered = ", ".join(c.key for c in self.columns if c.key)
            shown = one_line(text, limit=40, mark_cut=True)
            raise BadFilter(
                f"The list cannot be sorted by {shown!r}: sort by one of {offered} (a leading - for descending).",
                details={SORT: "invalid"},
            )
        return Sort(column=column, descending=text.startswith("-"))

    def sort_from(self, data: Mapping[str, Any]) -> Sort[M]:
        return self.sort_of(str(data.get(SORT, "") or ""))

    def ordering(self, sort: Sort[M]) -> tuple[str, ...]:
        """The ``order_by`` of a sort: the group, the column's fields in its direction, the primary key last."""
        names = [*sort.column.order, "pk"]
        return (*self.group, *(_flip(n) if sort.descending else n for n in names))

    def order(self, qs: QuerySet[M], sort: Sort[M]) -> QuerySet[M]:
        if sort.column.annotations:
            qs = qs.annotate(**sort.column.annotations)
        return qs.order_by(*self.ordering(sort))

    # --- the page -----------------------------------------------------------------------------------------------

    def nav(
        self,
        data: Mapping[str, Any],
        sort: Sort[M],
        *,
        list_url: str,
        export_view: str,
        page: Page[Any] | None = None,
        previous_cursor: str | None = None,
        next_cursor: str | None = None,
        total: int | None = None,
    ) -> ListNav:
        """What ``core/_sort_head.html`` and ``core/_list_nav.html`` draw: headers, pager and download links, every
        link keeping the request's filters (``data``, the query string)."""
        params = {k: v for k, v in _pairs(data) if k not in (PAGE, CURSOR)}

        def url(base: str, **changes: str) -> str:
            merged = [(k, v) for k, v in params.items() if k not in changes]
            merged += [(k, v) for k, v in changes.items() if v]
            return base + ("?" + _encode(merged) if merged else "")

        headers = []
        for column in self.columns:
            if not column.on_page:
                continue
            if not column.sortable:
                headers.append(Header(column.label))
                continue
            current = column is sort.column
            descending_next = current and not sort.descending
            headers.append(
                Header(
                    column.label,
                    key=column.key,
                    url=url(list_url, **{SORT: ("-" if descending_next else "") + column.key}),
                    aria_sort=("descending" if sort.descending else "ascending") if current else "",
                    hint="sort descending" if descending_next else "sort ascending",
                )
            )
        previous_url = next_url = None
        position = ""
        if page is not None:
            total = page.paginator.count
            if page.has_previous():
                previous_url = url(list_url, **{PAGE: str(page.previous_page_number())})
            if page.has_next():
                next_url = url(list_url, **{PAGE: str(page.next_page_number())})
            if total:
                position = f"{self.noun} {page.start_index()} to {page.end_index()} of {total:,}"
        else:
            previous_url = url(list_url, **{CURSOR: previous_cursor}) if previous_cursor else None
            next_url = url(list_url, **{CURSOR: next_cursor}) if next_cursor else None
        exports = [(label, url(reverse(export_view, args=[fmt]))) for fmt, label in (("xlsx", "Excel"), ("csv", "CSV"))]
        note = ""
        if total is not None and total > self.max_rows:
            note = f"A download holds the first {self.max_rows:,} of these {total:,}; narrow the filters for the rest."
        return ListNav(
            name=self.name,
            noun=self.noun,
            sort=sort.param,
            headers=headers,
            previous_url=previous_url,
            next_url=next_url,
            position=position,
            exports=exports,
            export_note=note,
        )

    # --- the download ---------------------------------------------------------------------------------------------

    def rows(self, qs: QuerySet[M], sort: Sort[M]) -> Iterator[list[Any]]:
        """The download's rows in the page's order, at most ``max_rows``, then a line saying the list was cut if it
        was. One query, read in chunks (no prefetching, which would cost a query per chunk)."""
        columns = [c for c in self.columns if c.value is not None]
        ordered = self.order(qs, sort).prefetch_related(None)
        for number, row in enumerate(ordered[: self.max_rows + 1].iterator(chunk_size=1000)):
            if number == self.max_rows:
                yield [f"Cut at {self.max_rows:,} rows: the list holds more. Narrow the filters to download the rest."]
                return
            yield [c.value(row) for c in columns if c.value is not None]

    def export(self, qs: QuerySet[M], sort: Sort[M], fmt: str) -> HttpResponseBase:
        """The download as a response: CSV streamed, Excel written in write-only mode; 404 for another format."""
        if fmt not in FORMATS:
            raise Http404("Downloads are CSV or Excel (xlsx).")
        headers = [c.label for c in self.columns if c.value is not None]
        filename = f"{self.name}.{fmt}"
        response: HttpResponseBase
        if fmt == "csv":
            response = StreamingHttpResponse(csv_stream(headers, self.rows(qs, sort)), content_type=FORMATS[fmt])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            content = xlsx_file(self.noun, headers, self.rows(qs, sort))
            response = FileResponse(content, as_attachment=True, filename=filename, content_type=FORMATS[fmt])
        return response


@dataclass(frozen=True)
class Header:
    label: str
    key: str = ""
    url: str = ""
    aria_sort: str = ""
    hint: str = ""

    @property
    def mark(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.aria_sort, "")


@dataclass(frozen=True)
class ListNav:
    name: str
    noun: str
    sort: str
    headers: list[Header]
    previous_url: str | None
    next_url: str | None
    position: str
    exports: list[tuple[str, str]]
    export_note: str

    @property
    def has_pages(self) -> bool:
        return bool(self.previous_url or self.next_url)


def _pairs(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The query string's parameters, one value each (a QueryDict's last), empty ones left out."""
    for key in data:
        value = data.get(key)
        if value not in (None, ""):
            yield str(key), str(value)


def _encode(pairs: Sequence[tuple[str, str]]) -> str:
    return urlencode(pairs)
