"""The periodic publication of newly qualified participants as a CSV file (DOMAIN.md §11)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from qualify.register.selectors import PublicationRow

COLUMNS = ["organisation", "mpid", "role", "qualified_from", "service_activated_on"]


def publication_csv(rows: Iterable[PublicationRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.organisation,
                row.mpid,
                row.role,
                row.qualified_from.isoformat(),
                row.service_activated_on.isoformat() if row.service_activated_on else "",
            ]
        )
    return buffer.getvalue()
