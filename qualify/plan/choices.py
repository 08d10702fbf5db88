"""Meanings a milestone can carry for the rules, and the kinds of wave deadline (DOMAIN.md §7, §8)."""

from __future__ import annotations

from django.db import models


class MilestoneMeaning(models.TextChoices):
    NONE = "", "No rule depends on it"
    MIGRATION_START = "MIGRATION_START", "Migration opens (for its segments)"
    ALL_SUPPLIERS_QUALIFIED = "ALL_SUPPLIERS_QUALIFIED", "Every Supplier must be qualified (M14)"
    MIGRATION_END = "MIGRATION_END", "Migration ends"


class Segment(models.TextChoices):
    SMART = "SMART", "Smart"
    ADVANCED = "ADVANCED", "Advanced"
    UMS = "UMS", "Unmetered"


class DeadlineKind(models.TextChoices):
    """The wave dates the lifecycle refers to. Their dates and labels are data; the kinds tie them to states."""

    PRE_QUALIFICATION = "PRE_QUALIFICATION", "Pre-qualification submission"
    PIT_START = "PIT_START", "PIT starts"
    PIT_EXIT = "PIT_EXIT", "PIT exit evidence"
    INITIAL_QAD = "INITIAL_QAD", "Initial QAD submission"
    QT_START = "QT_START", "Qualification Testing window opens"
    QT_END = "QT_END", "Qualification Testing window closes"
    FINAL_QAD = "FINAL_QAD", "Final QAD submission"
    TARGET_BOARD = "TARGET_BOARD", "Target board decision"
