"""Uploaded files that never outlive their row: stored under a pending name, promoted when the row commits.

A service copies an upload in with ``stage`` before its transaction (a long copy must not hold row locks), writes
the row naming the *final* name, and calls ``promote_on_commit`` inside the transaction: when it commits the pending
copy moves to the final name. When the transaction fails the service calls ``discard``; when the process is killed
between the copy and the commit, the pending copy (and Django's spooled temporary copy of the upload) is left behind
and ``sweep`` (the ``sweep_orphan_files`` command) removes it a day later. Reads go through ``open_stored``, which
also finds a committed file whose promotion has not happened yet (killed just after the commit); the sweep promotes
such a file rather than removing it.

Each app says which storage folders it owns and which field names the file (``stored_files`` on its AppConfig, a
list of ``(prefix, "Model", "field")``), so the sweep knows which files a row still names without this module
knowing any app.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction

from qualify.core import clock

PENDING = "pending/"
MAX_AGE = dt.timedelta(days=1)


def _storage() -> Storage:
    return storages["default"]


def pending_name(final: str) -> str:
    return PENDING + final


def stage(path: str, content: File[Any]) -> str:
    """Copy ``content`` into storage under a pending name; the final name the row should hold."""
    stored = _storage().save(pending_name(path), content)
    return stored.removeprefix(PENDING)


def promote(final: str) -> None:
    """Move a pending copy to its final name (nothing to do when it already moved)."""
    storage = _storage()
    pending = pending_name(final)
    if not storage.exists(pending):
        return
    try:
        source, target = storage.path(pending), storage.path(final)
    except NotImplementedError:  # a remote store (S3): copy, then remove the pending copy
        if not storage.exists(final):
            with storage.open(pending, "rb") as handle:
                storage.save(final, File(handle))
        storage.delete(pending)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)  # atomic on one file system: the file is under one name or the other


def promote_on_commit(final: str) -> None:
    """Call inside the transaction that writes the row naming ``final``."""
    transaction.on_commit(lambda: promote(final), robust=True)


def discard(final: str) -> None:
    """Remove a stored file under either name (its row was never written or was rolled back)."""
    storage = _storage()
    for name in (pending_name(final), final):
        if storage.exists(name):
            storage.delete(name)


def open_stored(final: str) -> IO[bytes]:
    """Open a file a committed row names, promoted or (briefly, after a kill) still pending."""
    storage = _storage()
    name = final if storage.exists(final) or not storage.exists(pending_name(final)) else pending_name(final)
    return storage.open(name, "rb")


# --- the sweep -----------------------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    kept_young: int = 0


def stores() -> list[tuple[str, Any, tuple[str, ...]]]:
    """(storage prefix, model, fields) for every folder an app keeps files in: a field, or a tuple of the fields that
    name files there (a job's input and its result)."""
    found = []
    for config in apps.get_app_configs():
        for prefix, model_name, fields in getattr(config, "stored_files", ()):
            names = (fields,) if isinstance(fields, str) else tuple(fields)
            found.append((prefix, config.get_model(model_name), names))
    return found


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder.rstrip('/')}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder.rstrip('/')}/{sub}")


def _older_than(storage: Storage, name: str, limit: dt.datetime) -> bool:
    return storage.get_modified_time(name) < limit


def sweep(*, dry_run: bool = False, max_age: dt.timedelta = MAX_AGE) -> SweepReport:
    """Remove files no row names and pending copies older than ``max_age``; promote old pending copies a row names.

    Files younger than ``max_age`` are left alone: their upload may still be on its way to its commit.
    """
    storage = _storage()
    limit = clock.now() - max_age
    report = SweepReport()
    for prefix, model, fields in stores():
        named = {name for f in fields for name in model.objects.exclude(**{f: ""}).values_list(f, flat=True)}
        for name in _walk(storage, prefix):
            if name in named:
                continue
            if not _older_than(storage, name, limit):
                report.kept_young += 1
                continue
            report.removed.append(name)
            if not dry_run:
                storage.delete(name)
        for pending in _walk(storage, pending_name(prefix)):
            final = pending.removeprefix(PENDING)
            if not _older_than(storage, pending, limit):
                report.kept_young += 1
            elif final in named:
                report.promoted.append(final)
                if not dry_run:
                    promote(final)
            else:
                report.removed.append(pending)
                if not dry_run:
                    storage.delete(pending)
    report.removed.extend(_sweep_upload_spool(limit, dry_run=dry_run))
    return report


def _sweep_upload_spool(limit: dt.datetime, *, dry_run: bool) -> list[str]:
    """Django's spooled copies of uploads (``*.upload*``) left by a killed process, when uploads spool to a folder of
    their own (``FILE_UPLOAD_TEMP_DIR``; the system's shared temporary folder is not ours to clear)."""
    folder = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    if not folder or not os.path.isdir(folder):
        return []
    removed = []
    for entry in os.scandir(folder):
        if not entry.is_file() or ".upload" not in entry.name:
            continue
        if dt.datetime.fromtimestamp(entry.stat().st_mtime, tz=dt.UTC) >= limit:
            continue
        removed.append(entry.path)
        if not dry_run:
            os.remove(entry.path)
    return removed
