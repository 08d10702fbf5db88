"""The append-only, hash-chained audit log (STYLE.md rule 11).

Each event carries the hash of the one before it, so removing or altering any event breaks the chain from that point
on, and ``manage.py verify_audit_chain`` says where. Events are hashed with a key kept outside the database
(HMAC-SHA256, ``QUALIFY_AUDIT_KEY``), so whoever can write to the database cannot re-hash the chain after changing an
event; events written before the key was introduced keep their plain SHA-256 hash and say so (``scheme``). Signed
checkpoints of the head written outside the database (``manage.py audit_checkpoint``) catch the newest events being
cut off. The model refuses updates and deletes; on PostgreSQL triggers refuse them, and TRUNCATE, in the database as
well, and on SQLite a trigger refuses updates.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from qualify.core.models import VisibleQuerySet


class AppendOnlyError(RuntimeError):
    pass


class HashScheme(models.IntegerChoices):
    """How an event's hash was made. Later schemes only ever follow earlier ones along the chain."""

    SHA256 = 1, "SHA-256 (unkeyed; events written before the audit key)"
    HMAC_SHA256 = 2, "HMAC-SHA256 with the audit key"


class AuditEventQuerySet(VisibleQuerySet["AuditEvent"]):
    organisation_path = "organisation_id"

    def visible_to(self, actor: Any) -> AuditEventQuerySet:
        if not actor.is_authenticated:
            return self.none()
        if actor.sees_everything:
            return self.all()
        return self.filter(organisation_id__in=actor.organisation_ids)

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200)
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=120, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # Plain integer, not a foreign key: the audit app must not depend on participants, and an organisation's
    # removal must never remove its history.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.PositiveSmallIntegerField(choices=HashScheme.choices, help_text="How hash was made.")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr} by {self.actor_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row, locked by each writer so that events are appended one at a time in a single chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self) -> str:
        return f"chain head at #{self.last_seq}"
