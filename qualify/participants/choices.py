"""Market roles, routes and exemptions (DOMAIN.md §2, §3)."""

from __future__ import annotations

from django.db import models


class MarketRole(models.TextChoices):
    SUPPLIER = "SUPPLIER", "Supplier"
    LDSO = "LDSO", "LDSO (distribution network operator)"
    MEM = "MEM", "Metering Equipment Manager"
    SDS = "SDS", "Smart Data Service"
    ADS = "ADS", "Advanced Data Service"
    UMSDS = "UMSDS", "Unmetered Supplies Data Service"


class Route(models.TextChoices):
    SIT = "SIT", "SIT route"
    QT = "QT", "Qualification Testing (non-SIT)"
    NEW_ENTRANT = "NEW_ENTRANT", "New entrant"


class ExemptionKind(models.TextChoices):
    SMART_SEGMENT = "SMART_SEGMENT", "Smart-segment obligations (advanced-only Supplier, BSC P476)"
    OTHER = "OTHER", "Other recorded exemption"
