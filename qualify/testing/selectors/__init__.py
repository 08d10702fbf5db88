"""Every read of Qualification Testing that depends on who asks, one module per part of the annexes."""

from qualify.testing.selectors.catalogue import (
    CaseFilters,
    case_rules,
    catalogue_cases,
    catalogue_get,
    catalogue_list,
    latest_published_catalogue,
)

__all__ = [
    "CaseFilters",
    "case_rules",
    "catalogue_cases",
    "catalogue_get",
    "catalogue_list",
    "latest_published_catalogue",
]
