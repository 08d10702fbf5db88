"""The vocabulary of an events file (issue 5, "Events file"), free of Django so the engine can use it.

Role codes repeat ``qualify.participants.choices.MarketRole``; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    MIGRATE = "MIGRATE"
    APPOINT = "APPOINT"
    REGISTER = "REGISTER"


class Segment(StrEnum):
    """A metering point's segment: it picks the migration window and the data-service role (DOMAIN.md §8)."""

    SMART = "SMART"
    ADVANCED = "ADVANCED"
    UMS = "UMS"


class Settlement(StrEnum):
    """The metering point's arrangement before the event."""

    MHHS = "MHHS"
    LEGACY = "LEGACY"


class Role(StrEnum):
    SUPPLIER = "SUPPLIER"
    LDSO = "LDSO"
    MEM = "MEM"
    SDS = "SDS"
    ADS = "ADS"
    UMSDS = "UMSDS"


# A data service named on an event must hold the data-service role of the point's segment.
DATA_SERVICE_ROLE: dict[Segment, Role] = {
    Segment.SMART: Role.SDS,
    Segment.ADVANCED: Role.ADS,
    Segment.UMS: Role.UMSDS,
}

EVENT_COLUMNS: tuple[str, ...] = (
    "ref",
    "kind",
    "mpan",
    "date",
    "segment",
    "supplier",
    "mem",
    "data_service",
    "settlement",
)
RESULT_COLUMNS: tuple[str, ...] = ("ref", "outcome", "reasons", "gsp_group")

# The metering point's GSP group, from its MPAN's first two digits, the distributor id (DOMAIN.md §8): ids 10-23 are
# the fourteen GSP groups in order, skipping _I and _O. Every other id is reported as IDNO: DOMAIN.md names the
# ids above 23 IDNOs, whose networks are not tied to one GSP group by the MPAN; ids below 10 are not issued to a
# GSP group either and are reported the same way. This table is the only statement of the mapping.
GSP_GROUP_BY_DISTRIBUTOR: dict[str, str] = {
    "10": "_A",
    "11": "_B",
    "12": "_C",
    "13": "_D",
    "14": "_E",
    "15": "_F",
    "16": "_G",
    "17": "_H",
    "18": "_J",
    "19": "_K",
    "20": "_L",
    "21": "_M",
    "22": "_N",
    "23": "_P",
}
GSP_GROUP_IDNO = "IDNO"
GSP_GROUPS: tuple[str, ...] = (*GSP_GROUP_BY_DISTRIBUTOR.values(), GSP_GROUP_IDNO)


def gsp_group_of(distributor_id: str) -> str:
    """The GSP group label of a two-digit distributor id (see ``GSP_GROUP_BY_DISTRIBUTOR``)."""
    return GSP_GROUP_BY_DISTRIBUTOR.get(distributor_id, GSP_GROUP_IDNO)
