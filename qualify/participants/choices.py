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


# The Code Bodies whose approval each market role needs (published; DOMAIN.md §2), as the ``qad.choices.Body`` codes:
# DIP Manager, BSC PAB, REC Code Manager. A role is qualified only when every body listed has approved. Kept here,
# beside the roles, so the case lifecycle can ask who decides for a role without reaching up to assessment.
APPROVALS_BY_ROLE: dict[str, tuple[str, ...]] = {
    MarketRole.SUPPLIER: ("DIP", "BSC", "REC"),
    MarketRole.LDSO: ("DIP", "BSC", "REC"),
    MarketRole.MEM: ("DIP", "REC"),
    MarketRole.SDS: ("DIP", "BSC"),
    MarketRole.ADS: ("DIP", "BSC"),
    MarketRole.UMSDS: ("DIP", "BSC"),
}


def approvals_needed(role: str) -> tuple[str, ...]:
    return APPROVALS_BY_ROLE.get(role, ("DIP", "BSC", "REC"))
