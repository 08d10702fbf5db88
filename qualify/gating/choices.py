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


# What each column of an events file holds, for the page that takes the file (the order is EVENT_COLUMNS').
EVENT_COLUMN_HELP: dict[str, tuple[str, str]] = {
    "ref": ("Your reference for the event; it comes back on the event's decision.", "Any text, not empty"),
    "kind": ("What is to happen to the metering point.", ", ".join(EventKind)),
    "mpan": (
        "The metering point's 13-digit MPAN core; its first two digits name the distributor and GSP group.",
        "13 digits (a malformed MPAN is decided INVALID_MPAN, not refused)",
    ),
    "date": ("The day the event takes effect.", "YYYY-MM-DD, between 2000-01-01 and 2100-12-31"),
    "segment": ("The point's segment: it picks the migration window and the data-service role.", ", ".join(Segment)),
    "supplier": ("The Supplier's MPID, if one is named.", "A 4-character MPID, or empty"),
    "mem": ("The Metering Equipment Manager's MPID, if one is named.", "A 4-character MPID, or empty"),
    "data_service": (
        "The data service's MPID, if one is named; it must hold the segment's data-service role (SDS, ADS or UMSDS).",
        "A 4-character MPID, or empty",
    ),
    "settlement": ("How the point is settled before the event.", ", ".join(Settlement)),
}
# A small file that passes every check, offered for download beside the description.
EXAMPLE_EVENTS: tuple[tuple[str, ...], ...] = (
    ("EV-0001", "MIGRATE", "1012345678901", "2027-03-01", "SMART", "NWEN", "NWMS", "NWDS", "LEGACY"),
    ("EV-0002", "APPOINT", "2300000000017", "2027-03-15", "ADVANCED", "SBPW", "", "SBAD", "MHHS"),
    ("EV-0003", "REGISTER", "1500000000042", "2027-04-01", "UMS", "NWEN", "", "", "LEGACY"),
)
