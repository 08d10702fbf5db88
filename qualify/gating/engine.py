"""The vectorised gating engine: every event of a bulk file decided at once with Polars (issue 5, DOMAIN.md §8).

Pure: no Django here. The caller hands over the register as a small table of status change points (built by
``qualify.gating.context.register_table`` from the reference rule ``qualify.register.rules.status_on``), the map
from distributor id to LDSO MPID, and the milestone dates by meaning (``MigrationCalendar``).

The rules, as issue 5 states them and with the decisions taken where it is silent
--------------------------------------------------------------------------------
*Qualified* means *operational* on the event's date (``status_on``). A participation is *known* when the register
holds it, with or without events; a known participation with no event yet is not operational.

- ``INVALID_MPAN`` — any kind of event, whenever the MPAN is not exactly 13 ASCII digits or its check digit is wrong
  (DOMAIN.md §8: digits 1-12 weighted 3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43, summed, mod 11, mod 10, must equal
  digit 13). It blocks. With an invalid MPAN the LDSO is not looked up (so no LDSO reason).
- *Not qualified for a role* — an MPID that is not operational in the role the event needs: because its participation
  in that role is not operational on the date, because it holds other roles only (a Smart Data Service named for an
  advanced point, a MEM named as the Supplier), or because it holds no participation at all. Each gives the
  ``*_NOT_QUALIFIED`` reason of the role (DOMAIN.md §8: "a participant absent from the register is simply not
  qualified; one registered in another role than the event needs is not qualified for that role").
- ``UNKNOWN_PARTICIPANT`` — an MPID named in a slot the rules check holds no participation at all, in any role. It
  is information beside that slot's ``*_NOT_QUALIFIED`` and never blocks on its own, so it never turns an event the
  rules allow into a block.
- Details (``decide(..., details=True)``, the HTTP decisions): one sentence for each ``*_NOT_QUALIFIED`` whose
  participant holds no participation in the role — the MPID is not on the register, holds other roles (named,
  with the role it lacks), no Supplier is named, or no LDSO holds the distributor id — in the order Supplier,
  LDSO, MEM, data service. A participation that exists but is not operational needs no detail.
- The Supplier of a MIGRATE or REGISTER is required: an event naming none (empty or null) is
  ``SUPPLIER_NOT_QUALIFIED`` and blocks, whatever its date and settlement (there is no Supplier to let register).
- MIGRATE — ``BEFORE_MIGRATION_WINDOW`` when the date is before the segment's MIGRATION_START (or no dated
  MIGRATION_START covers the segment: migration has not opened); ``AFTER_MIGRATION_WINDOW`` when the date is after
  MIGRATION_END (the window is inclusive; no dated MIGRATION_END means no end). The Supplier, the LDSO holding the
  MPAN's distributor id (looked up only with a valid MPAN), a MEM when one is named and a data service when one is
  named (the role comes from the segment: SMART → SDS, ADVANCED → ADS, UMS → UMSDS) must be operational:
  ``SUPPLIER_NOT_QUALIFIED``, ``LDSO_NOT_QUALIFIED`` (also when no LDSO holds the distributor id),
  ``MEM_NOT_QUALIFIED``, ``DATA_SERVICE_NOT_QUALIFIED``. The point's settlement does not matter to a MIGRATE.
- APPOINT — to a LEGACY point: not gated (only ``INVALID_MPAN`` applies). To an MHHS point: the appointee(s) named in
  ``mem`` / ``data_service`` must be operational (``MEM_NOT_QUALIFIED`` / ``DATA_SERVICE_NOT_QUALIFIED``). An
  APPOINT naming nobody has nothing to gate. The ``supplier`` column is ignored.
- REGISTER — only the Supplier is gated (``mem`` and ``data_service`` are ignored). Before ALL_SUPPLIERS_QUALIFIED
  (M14; or while it has no date): a LEGACY point is not gated (any named Supplier may register it, on the register
  or not); an MHHS point with a Supplier that is not operational (whether on the register or not) reverse-migrates:
  ``REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED``, outcome ``ALLOW_REVERSE_MIGRATION``. On and after M14: a Supplier
  that is not operational is ``SUPPLIER_NOT_QUALIFIED`` and blocks, whatever the settlement.
- Outcome: ``BLOCK`` if any blocking reason applies (every reason blocks except UNKNOWN_PARTICIPANT, and
  REVERSE_MIGRATION with the SUPPLIER_NOT_QUALIFIED that causes it); else ``ALLOW_REVERSE_MIGRATION`` if
  REVERSE_MIGRATION; else ``ALLOW``.
- ``gsp_group`` — the metering point's GSP group, from the MPAN's distributor id through
  ``choices.GSP_GROUP_BY_DISTRIBUTOR`` (``_A``…``_P``, or ``IDNO`` for any other id); null when the MPAN is invalid
  (an identifier that fails its check digit identifies no point).
- Milestones, by meaning: a segment's migration opens on the earliest dated MIGRATION_START that covers it (a
  MIGRATION_START with no segments covers all); M14 is the earliest dated ALL_SUPPLIERS_QUALIFIED; migration ends on
  the earliest dated MIGRATION_END. A milestone's date is the first day its rule applies.

How it is vectorised
--------------------
No Python runs per event; every step is a column expression, and row order is the input order (nothing is sorted).

- Dates become int32 day numbers. Each MPID column is cast to an ``Enum`` of the register's few hundred MPIDs
  (unknown names become null: the MPID holds no participation), whose physical value is an MPID index; a tiny
  per-role table turns it into a participation index (per segment for a data service; null: not in that role).
- "Operational on date D" is an as-of look-up, precomputed on the register side rather than sorting ten million
  events for ``join_asof``: the distinct change dates of the whole register cut time into *epochs* (epoch e starts
  on the e-th change date; epoch 0 is before any). One dense array maps a day to its epoch, and a
  participations-by-epochs table holds each participation's status in each epoch (itself filled by an as-of
  binary search over the sorted ``participation << 22 | day`` keys of the change points). Deciding an event is then
  two array gathers per participation it names.
- The MPAN check digit is computed from three four-digit chunks through 10,000-entry tables of weighted digit sums.
- Reasons are bits of a mask; the outcome and the sorted, ``;``-joined text come from a 512-entry table indexed by
  the mask, so no per-row string is built. ``outcome`` and ``reasons`` are Polars ``Enum`` columns: strings to
  every reader, dictionary-encoded in Parquet.
- The GSP group is one gather from a 100-entry ``Enum`` table by distributor id, masked by the MPAN check.
- Details are asked for by the HTTP decisions only (batches of at most 10,000): the "other roles" sentence of each
  MPID and role is precomputed in a table indexed like the participations; bulk files leave them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from qualify.gating.choices import DATA_SERVICE_ROLE, GSP_GROUPS, EventKind, Role, Segment, Settlement, gsp_group_of
from qualify.gating.reasons import (
    DETAIL_NO_LDSO,
    DETAIL_NO_SUPPLIER,
    DETAIL_NOT_ON_REGISTER,
    Outcome,
    Reason,
    detail_other_roles,
    join_reasons,
    outcome_for,
)

OUTCOME_DTYPE = pl.Enum([o.value for o in Outcome])

# Day numbers are proleptic ordinals (0001-01-01 is day 1) so they are never negative; Polars counts from 1970.
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
DAY_BITS = 22  # room for every date up to year 11,000
MAX_DAY = (1 << DAY_BITS) - 1
MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)

REASON_BIT: dict[Reason, int] = {reason: 1 << i for i, reason in enumerate(Reason)}
MASK_COUNT = 1 << len(Reason)

REGISTER_SCHEMA: dict[str, pl.DataType] = {
    "mpid": pl.String(),
    "role": pl.String(),
    "from_date": pl.Date(),
    "operational": pl.Boolean(),
}


def reasons_of(mask: int) -> frozenset[Reason]:
    return frozenset(reason for reason, bit in REASON_BIT.items() if mask & bit)


REASONS_DTYPE = pl.Enum([join_reasons(reasons_of(mask)) for mask in range(MASK_COUNT)])
_REASONS_BY_MASK = pl.Series(
    "reasons", [join_reasons(reasons_of(mask)) for mask in range(MASK_COUNT)], dtype=REASONS_DTYPE
)
_OUTCOME_BY_MASK = pl.Series(
    "outcome", [str(outcome_for(reasons_of(mask))) for mask in range(MASK_COUNT)], dtype=OUTCOME_DTYPE
)


def _chunk_table(weights: tuple[int, ...]) -> pl.Series:
    """Weighted digit sum, mod 11, of every four-digit chunk 0000..9999 for the given four weights."""
    sums = [
        sum(int(digit) * weight for digit, weight in zip(f"{chunk:04d}", weights, strict=True)) % 11
        for chunk in range(10_000)
    ]
    return pl.Series(sums, dtype=pl.Int64)


_MPAN_CHUNKS = tuple(_chunk_table(MPAN_WEIGHTS[i : i + 4]) for i in (0, 4, 8))

# Distributor id 0..99 -> GSP group label, from the one table in ``choices``.
GSP_GROUP_DTYPE = pl.Enum(list(GSP_GROUPS))
_GSP_GROUP_BY_ID = pl.Series([gsp_group_of(f"{i:02d}") for i in range(100)], dtype=GSP_GROUP_DTYPE)

ROLES = list(Role)  # a role's position here indexes the "other roles" details table
# Segment index (see _segment_index) -> position in ROLES of the segment's data-service role.
_DATA_SERVICE_ROLE_POSITION = pl.Series([ROLES.index(DATA_SERVICE_ROLE[s]) for s in Segment], dtype=pl.Int64)


@dataclass(frozen=True)
class MigrationCalendar:
    """The milestone dates the rules read, already reduced from the plan (see ``context.calendar_from_milestones``).

    ``None`` means "no dated milestone": migration has not opened for that segment, M14 has not come, migration
    has no end.
    """

    migration_start: Mapping[Segment, dt.date | None]
    all_suppliers_qualified: dt.date | None
    migration_end: dt.date | None


@dataclass(frozen=True)
class GatingContext:
    """Everything the engine needs besides the events.

    ``register`` has one row per status change point: ``mpid``, ``role``, ``from_date`` and ``operational`` (the
    status from that date until the next change point of the same participation; before its first row a
    participation is not operational). Every known participation has at least one row. ``ldso_by_distributor``
    maps a two-digit distributor id to the MPID of the LDSO holding it.
    """

    register: pl.DataFrame
    ldso_by_distributor: Mapping[str, str]
    calendar: MigrationCalendar

    @cached_property
    def prepared(self) -> _Register:
        """The look-up arrays ``decide`` indexes into, built once per context (a context is reused across batches)."""
        return _prepare(self)


def day_number(date: dt.date) -> int:
    return min(date.toordinal(), MAX_DAY)


@dataclass(frozen=True)
class _Register:
    """The register turned into small arrays that the event expressions index into."""

    mpids: list[str]  # the categories of the MPID Enum: physical value = MPID index
    participation_by_role: dict[Role, pl.Series]  # MPID index -> participation index (null: role not held)
    data_service_by_segment: pl.Series  # MPID index * 3 + segment -> participation index
    ldso_by_distributor: pl.Series  # distributor id 0..99 -> participation index
    other_roles_detail: pl.Series  # MPID index * len(ROLES) + role position -> detail (null: the MPID holds the role)
    first_change_day: int
    epoch_by_day: pl.Series  # [0] before the first change day, [1 + d] for first_change_day + d
    epochs: int
    status: pl.Series  # participation index * epochs + epoch -> operational


def _as_of(keys: pl.Series, values: pl.Series, probe: pl.Expr) -> pl.Expr:
    """``values`` at the last of the sorted ``keys`` that is <= ``probe``: an as-of (backward) look-up."""
    at = (pl.lit(keys).search_sorted(probe, side="right").cast(pl.Int64) - 1).clip(0)
    return pl.lit(values).gather(at)


def _prepare(context: GatingContext) -> _Register:
    register = context.register.select(
        pl.col("mpid").cast(pl.String),
        pl.col("role").cast(pl.String),
        pl.col("from_date").cast(pl.Date),
        pl.col("operational").cast(pl.Boolean).fill_null(False),
    )
    pairs = sorted(set(zip(register["mpid"].to_list(), register["role"].to_list(), strict=True)))
    participation_index = {pair: i for i, pair in enumerate(pairs)}
    mpids = sorted({mpid for mpid, _ in pairs})

    def participations(pick: list[tuple[str, str]]) -> pl.Series:
        return pl.Series([participation_index.get(pair) for pair in pick], dtype=pl.Int64)

    by_role = {role: participations([(mpid, role) for mpid in mpids]) for role in Role}
    # In Segment order: a segment's index (see _segment_index) is its offset in this table.
    data_service = participations([(mpid, DATA_SERVICE_ROLE[s]) for mpid in mpids for s in Segment])
    held = {mpid: [role for role in ROLES if (mpid, role) in participation_index] for mpid in mpids}
    other_roles = pl.Series(
        [
            None if role in held[mpid] else detail_other_roles(mpid, role, held[mpid])
            for mpid in mpids
            for role in ROLES
        ],
        dtype=pl.String,
    )
    ldso: list[int | None] = [None] * 100  # distributor ids are two digits
    for code, mpid in context.ldso_by_distributor.items():
        if len(code) == 2 and code.isdigit():
            ldso[int(code)] = participation_index.get((mpid, Role.LDSO))

    # Change points, each participation led by a sentinel "not operational" on day 0; then only real changes.
    pair_frame = pl.DataFrame(
        {"mpid": [m for m, _ in pairs], "role": [r for _, r in pairs], "participation": range(len(pairs))},
        schema={"mpid": pl.String, "role": pl.String, "participation": pl.Int64},
    )
    points = pl.concat(
        [
            pair_frame.select("participation", day=pl.lit(0, pl.Int64), operational=pl.lit(False), order=pl.lit(0)),
            register.join(pair_frame, on=["mpid", "role"]).select(
                "participation",
                day=(pl.col("from_date").cast(pl.Int64) + EPOCH_ORDINAL).clip(1, MAX_DAY),
                operational="operational",
                order=pl.lit(1),
            ),
        ]
    )
    # Of several rows for one participation and day, the last one given counts; then keep only the rows that
    # change the status (a participation's first row, its sentinel, always stays).
    points = (
        points.with_row_index("given")
        .sort("participation", "day", "order", "given")
        .unique(["participation", "day"], keep="last", maintain_order=True)
        .filter((pl.col("operational") != pl.col("operational").shift(1).over("participation")).fill_null(True))
    )
    keys = points["participation"] * (1 << DAY_BITS) + points["day"]
    change_days = points.filter(pl.col("day") > 0)["day"].unique().sort()
    epochs = len(change_days) + 1
    first = int(change_days[0]) if len(change_days) else 0
    last = int(change_days[-1]) if len(change_days) else 0
    epoch_by_day = (
        pl.concat(
            [
                pl.Series([0], dtype=pl.Int64),
                change_days.search_sorted(pl.int_range(first, last + 1, eager=True), side="right").cast(pl.Int64),
            ]
        )
        if len(change_days)
        else pl.Series([0], dtype=pl.Int64)
    )
    epoch_start = pl.concat([pl.Series([0], dtype=pl.Int64), change_days.cast(pl.Int64)])
    grid = pl.DataFrame({"participation": range(len(pairs))}, schema={"participation": pl.Int64}).join(
        pl.DataFrame({"start": epoch_start}), how="cross"
    )
    status = grid.select(
        _as_of(keys, points["operational"], pl.col("participation") * (1 << DAY_BITS) + pl.col("start"))
    ).to_series()
    return _Register(
        mpids=mpids,
        participation_by_role=by_role,
        data_service_by_segment=data_service,
        ldso_by_distributor=pl.Series(ldso, dtype=pl.Int64),
        other_roles_detail=other_roles,
        first_change_day=first,
        epoch_by_day=epoch_by_day,
        epochs=epochs,
        status=status.cast(pl.Boolean),
    )


def _segment_index() -> pl.Expr:
    """0, 1, 2 for SMART, ADVANCED, UMS (comparing short strings is cheaper than hashing them into an Enum)."""
    segment = pl.col("segment")
    index: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for position, value in reversed(list(enumerate(Segment))):
        index = pl.when(segment == value.value).then(position).otherwise(index)
    return index.cast(pl.Int64)


def _named(column: str) -> pl.Expr:
    """An MPID column holds a name (empty and null both mean "not named")."""
    return pl.col(column).str.len_bytes().fill_null(0) > 0


def _mpan_valid(shaped: str, number: str) -> pl.Expr:
    """DOMAIN.md §8 check digit over columns already holding the shape test and the MPAN as an integer.

    The weighted sum of the first twelve digits is looked up per four-digit chunk (tables mod 11, so their sum has
    the same remainder); chunks are clipped so a non-MPAN never indexes outside a table.
    """
    first12 = pl.col(number) // 10
    chunks = (first12 // 10**8, (first12 // 10**4) % 10**4, first12 % 10**4)
    total = pl.sum_horizontal(
        [pl.lit(table).gather(chunk.clip(0, 9_999)) for table, chunk in zip(_MPAN_CHUNKS, chunks, strict=True)]
    )
    return (pl.col(shaped) & (total % 11 % 10 == pl.col(number) % 10)).fill_null(False)


def decide(
    events: pl.LazyFrame | pl.DataFrame,
    context: GatingContext,
    *,
    carry: Sequence[str] = (),
    details: bool = False,
) -> pl.LazyFrame:
    """Decide every event: ``ref``, ``outcome``, ``reasons``, ``gsp_group`` in input order (see the module docstring).

    ``events`` has the events-file columns with ``date`` as a Polars Date, ``kind``/``segment``/``settlement``
    as strings (or Enums) holding only known values, and the MPID columns as strings (null or empty where not
    named). ``qualify.gating.io.read_events`` produces exactly this. With ``details``, a ``details`` column (a
    list of sentences, see the module docstring) follows the result columns. Columns named in ``carry`` are passed
    through unchanged at the end.
    """
    reg = context.prepared
    calendar = context.calendar

    def mpid_index(column: str) -> pl.Expr:
        """The MPID's index in the register; null when it holds no participation at all (or is not named)."""
        if not reg.mpids:
            return pl.lit(None, dtype=pl.Int64)
        return pl.col(column).cast(pl.Enum(reg.mpids), strict=False).to_physical().cast(pl.Int64)

    def participation(index: str, table: pl.Series, offset: pl.Expr | None = None) -> pl.Expr:
        """The participation the MPID at ``index`` holds in the role of ``table``; null when it holds no such role."""
        if not reg.mpids:
            return pl.lit(None, dtype=pl.Int64)
        position = pl.col(index) if offset is None else pl.col(index) * len(Segment) + offset
        return pl.lit(table).gather(position)

    def operational(column: str) -> pl.Expr:
        found = pl.lit(reg.status).gather(pl.col(column) * reg.epochs + pl.col("_epoch"))
        return found.fill_null(False)

    segment = _segment_index()
    kind = pl.col("kind")
    day = (pl.col("date").cast(pl.Int64) + EPOCH_ORDINAL).clip(1, MAX_DAY)
    start_days = pl.Series(
        [day_number(d) if d else None for d in (calendar.migration_start.get(s) for s in Segment)],
        dtype=pl.Int64,
    )
    span = len(reg.epoch_by_day) - 1
    names = {"_mpan": "mpan", "_supplier_name": "supplier", "_mem_name": "mem", "_ds_name": "data_service"}

    staged = (
        events.lazy()
        .select(
            "ref",
            *carry,
            *(pl.col(column).alias(alias) for alias, column in names.items() if details),
            _day=day,
            _segment=segment,
            _migrate=kind == EventKind.MIGRATE.value,
            _appoint=kind == EventKind.APPOINT.value,
            _register=kind == EventKind.REGISTER.value,
            _mhhs=pl.col("settlement") == Settlement.MHHS.value,
            _shaped=pl.col("mpan").str.contains(r"^[0-9]{13}$").fill_null(False),
            _number=pl.col("mpan").cast(pl.Int64, strict=False),
            _supplier_named=_named("supplier"),
            _supplier_id=mpid_index("supplier"),
            _mem_named=_named("mem"),
            _mem_id=mpid_index("mem"),
            _ds_named=_named("data_service"),
            _ds_id=mpid_index("data_service"),
        )
        .with_columns(
            _supplier=participation("_supplier_id", reg.participation_by_role[Role.SUPPLIER]),
            _mem=participation("_mem_id", reg.participation_by_role[Role.MEM]),
            _ds=participation("_ds_id", reg.data_service_by_segment, pl.col("_segment")),
            _epoch=pl.lit(reg.epoch_by_day).gather((pl.col("_day") - reg.first_change_day + 1).clip(0, span)),
            _start=pl.lit(start_days).gather(pl.col("_segment")),
            _mpan_valid=_mpan_valid("_shaped", "_number"),
        )
        .with_columns(
            # The LDSO is looked up only for a MIGRATE with a valid MPAN: its first two digits.
            _ldso=pl.when(pl.col("_migrate") & pl.col("_mpan_valid")).then(
                pl.lit(reg.ldso_by_distributor).gather((pl.col("_number") // 10**11).clip(0, 99))
            ),
        )
        .with_columns(
            _supplier_op=operational("_supplier"),
            _mem_op=operational("_mem"),
            _ds_op=operational("_ds"),
            _ldso_op=operational("_ldso"),
        )
    )

    migrate, appoint, register = pl.col("_migrate"), pl.col("_appoint"), pl.col("_register")
    mhhs, day_col, mpan_valid = pl.col("_mhhs"), pl.col("_day"), pl.col("_mpan_valid")
    supplier_named, mem_named, ds_named = pl.col("_supplier_named"), pl.col("_mem_named"), pl.col("_ds_named")
    # "Known": the MPID holds some participation, in whatever role.
    supplier_known = pl.col("_supplier_id").is_not_null()
    mem_known = pl.col("_mem_id").is_not_null()
    ds_known = pl.col("_ds_id").is_not_null()
    m14 = calendar.all_suppliers_qualified
    end = calendar.migration_end
    before_m14 = pl.lit(True) if m14 is None else day_col < day_number(m14)
    # Before M14 any Supplier may register a LEGACY point; a registration naming no Supplier is still refused.
    supplier_gated = (migrate | register) & ~(register & before_m14 & ~mhhs & supplier_named)
    appointees_gated = migrate | (appoint & mhhs)  # an APPOINT to a LEGACY point is not gated
    mem_gated = appointees_gated & mem_named
    ds_gated = appointees_gated & ds_named
    ldso_gated = migrate & mpan_valid
    # Not operational in the role: covers not named, holding no participation, holding other roles only.
    supplier_not_qualified = supplier_gated & ~pl.col("_supplier_op")
    ldso_not_qualified = ldso_gated & ~pl.col("_ldso_op")
    mem_not_qualified = mem_gated & ~pl.col("_mem_op")
    ds_not_qualified = ds_gated & ~pl.col("_ds_op")

    conditions: dict[Reason, pl.Expr] = {
        Reason.INVALID_MPAN: ~mpan_valid,
        Reason.UNKNOWN_PARTICIPANT: (supplier_gated & supplier_named & ~supplier_known)
        | (mem_gated & ~mem_known)
        | (ds_gated & ~ds_known),
        Reason.BEFORE_MIGRATION_WINDOW: migrate & (day_col < pl.col("_start")).fill_null(True),
        Reason.AFTER_MIGRATION_WINDOW: migrate & (pl.lit(False) if end is None else day_col > day_number(end)),
        Reason.SUPPLIER_NOT_QUALIFIED: supplier_not_qualified,
        Reason.LDSO_NOT_QUALIFIED: ldso_not_qualified,
        Reason.MEM_NOT_QUALIFIED: mem_not_qualified,
        Reason.DATA_SERVICE_NOT_QUALIFIED: ds_not_qualified,
        Reason.REVERSE_MIGRATION: register & before_m14 & mhhs & supplier_named & ~pl.col("_supplier_op"),
    }
    mask = pl.sum_horizontal(
        [condition.fill_null(False).cast(pl.Int64) * REASON_BIT[reason] for reason, condition in conditions.items()]
    )
    extra: list[pl.Expr] = []
    if details:

        def other_roles(index: str, role_position: pl.Expr) -> pl.Expr:
            return pl.lit(reg.other_roles_detail).gather(pl.col(index) * len(ROLES) + role_position)

        def named_detail(not_qualified: pl.Expr, known: pl.Expr, name: str, index: str, role: pl.Expr) -> pl.Expr:
            return (
                pl.when(not_qualified & ~known)
                .then(pl.format(DETAIL_NOT_ON_REGISTER, pl.col(name)))
                .when(not_qualified)
                .then(other_roles(index, role) if reg.mpids else pl.lit(None, dtype=pl.String))
            )

        supplier_detail = (
            pl.when(supplier_not_qualified & ~supplier_named)
            .then(pl.lit(DETAIL_NO_SUPPLIER))
            .otherwise(
                named_detail(
                    supplier_not_qualified,
                    supplier_known,
                    "_supplier_name",
                    "_supplier_id",
                    pl.lit(ROLES.index(Role.SUPPLIER)),
                )
            )
        )
        ldso_detail = pl.when(ldso_not_qualified & pl.col("_ldso").is_null()).then(
            pl.format(DETAIL_NO_LDSO, pl.col("_mpan").str.slice(0, 2))
        )
        mem_detail = named_detail(mem_not_qualified, mem_known, "_mem_name", "_mem_id", pl.lit(ROLES.index(Role.MEM)))
        ds_detail = named_detail(
            ds_not_qualified,
            ds_known,
            "_ds_name",
            "_ds_id",
            pl.lit(_DATA_SERVICE_ROLE_POSITION).gather(pl.col("_segment")),
        )
        found = pl.concat_list([supplier_detail, ldso_detail, mem_detail, ds_detail]).list.drop_nulls()
        extra.append(found.alias("details"))
    distributor = (pl.col("_number") // 10**11).clip(0, 99)
    return staged.select(
        pl.col("ref"),
        pl.lit(_OUTCOME_BY_MASK).gather(mask).alias("outcome"),
        pl.lit(_REASONS_BY_MASK).gather(mask).alias("reasons"),
        pl.when(mpan_valid).then(pl.lit(_GSP_GROUP_BY_ID).gather(distributor)).alias("gsp_group"),
        *extra,
        *carry,
    )
