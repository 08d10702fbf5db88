"""The periodic publication of newly qualified participants as a CSV file (DOMAIN.md §11).

Organisation names come from imports and people; every cell goes through ``qualify.core.spreadsheet`` so a name that
starts like a formula stays text when the file is opened in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterable

from qualify.core.spreadsheet import csv_text
from qualify.register.selectors import PublicationRow

COLUMNS = ["organisation", "mpid", "role", "qualified_from", "service_activated_on"]


def publication_csv(rows: Iterable[PublicationRow]) -> str:
    return csv_text(
        COLUMNS,
        (
            [
                row.organisation,
                row.mpid,
                row.role,
                row.qualified_from.isoformat(),
                row.service_activated_on.isoformat() if row.service_activated_on else "",
            ]
            for row in rows
        ),
        lineterminator="\n",
    )
