"""Every write Qualification Testing makes, one module per part of the annexes (STYLE.md rule 1)."""

from qualify.testing.services.catalogue import MAX_FILE_CHARS, catalogue_check, catalogue_load, catalogue_publish

__all__ = ["MAX_FILE_CHARS", "catalogue_check", "catalogue_load", "catalogue_publish"]
