"""Qualification Testing's records, one module per part of the annexes (DOMAIN.md §10a)."""

from qualify.testing.models.catalogue import CatalogueCase, ImmutableError, TestCatalogue
from qualify.testing.models.execution import Defect, Execution, ResultImport
from qualify.testing.models.gates import CompletionReport, PrerequisiteRecord, RttmSnapshot
from qualify.testing.models.scoping import PreQualification, RelianceDecisionRecord, RelianceProposal, ScopeRecord

__all__ = [
    "CatalogueCase",
    "CompletionReport",
    "Defect",
    "Execution",
    "ImmutableError",
    "PreQualification",
    "PrerequisiteRecord",
    "RelianceDecisionRecord",
    "RelianceProposal",
    "ResultImport",
    "RttmSnapshot",
    "ScopeRecord",
    "TestCatalogue",
]
