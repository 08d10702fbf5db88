"""Property: on random registers, plans and events, the vectorised engine decides exactly as the reference does.

Dates are drawn from a short span so that events, register changes and milestones keep landing on the same days
(where the boundary rules matter), and MPIDs from a small pool so that names are often known, registered in other
roles only, or on no register at all (``ZZZZ``, and any pool MPID the drawn register leaves out); the details are
compared too, and so is the GSP group.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualify.gating.choices import EventKind, Role, Segment, Settlement
from qualify.gating.context import MilestoneFact, build_context
from qualify.gating.reference import GateEvent
from qualify.gating.tests.world import decide_in_full_with_engine, decide_in_full_with_reference, with_check_digit
from qualify.register.choices import RegisterEventKind
from qualify.register.rules import EventFact

BASE = dt.date(2026, 1, 1)
SPAN = 12
MPIDS = ["AAAA", "BBBB", "CCCC", "DDDD"]

days = st.integers(min_value=0, max_value=SPAN).map(lambda n: BASE + dt.timedelta(days=n))
optional_days = st.none() | days
register_events = st.builds(EventFact, kind=st.sampled_from(list(RegisterEventKind.values)), date=days)


@st.composite
def lifecycles(draw: st.DrawFn) -> list[EventFact]:
    """Qualified, usually activated on or after, sometimes suspended/reinstated or revoked: operational spells."""
    qualified = draw(days)
    events = [EventFact("QUALIFIED", qualified)]
    later = st.integers(min_value=0, max_value=4).map(lambda n: qualified + dt.timedelta(days=n))
    if draw(st.booleans()) or draw(st.booleans()):
        events.append(EventFact("SERVICE_ACTIVATED", draw(later)))
    for kind in ("SUSPENDED", "REINSTATED", "REVOKED"):
        if draw(st.integers(0, 3)) == 0:
            events.append(EventFact(kind, draw(later)))
    return events


histories = st.dictionaries(
    keys=st.tuples(st.sampled_from(MPIDS), st.sampled_from([r.value for r in Role])),
    values=st.one_of(lifecycles(), lifecycles(), st.lists(register_events, max_size=6)),
    min_size=8,
    max_size=24,
)
ldso_maps = st.dictionaries(keys=st.sampled_from(["10", "11", "12", "13"]), values=st.sampled_from(MPIDS), max_size=4)
milestones = st.builds(
    lambda smart, advanced, everyone, m14, end: [
        MilestoneFact("S", smart, "MIGRATION_START", ("SMART",)),
        MilestoneFact("A", advanced, "MIGRATION_START", ("ADVANCED",)),
        MilestoneFact("ALL", everyone, "MIGRATION_START"),
        MilestoneFact("M14", m14, "ALL_SUPPLIERS_QUALIFIED"),
        MilestoneFact("END", end, "MIGRATION_END"),
    ],
    optional_days,
    optional_days,
    optional_days,
    optional_days,
    optional_days,
)
valid_mpans = st.builds(
    lambda distributor, rest: with_check_digit(f"{distributor}{rest:010d}"),
    # Distributor ids with and without an LDSO, of GSP groups either side of the skipped _I and _O, and of IDNOs.
    st.sampled_from(["10", "11", "12", "13", "14", "18", "22", "23", "24", "99", "00"]),
    st.integers(min_value=0, max_value=10**10 - 1),
)
invalid_mpans = (
    st.none()
    | st.text(alphabet="0123456789+- x", max_size=14)
    | valid_mpans.map(lambda m: m[:12] + str((int(m[12]) + 1) % 10))
)
names = st.sampled_from([None, "", "ZZZZ", *MPIDS, *MPIDS, *MPIDS])
gate_events = st.builds(
    GateEvent,
    ref=st.just(""),
    kind=st.sampled_from([k.value for k in EventKind]),
    mpan=st.sampled_from(["valid"] * 5 + ["invalid"]).flatmap(lambda k: valid_mpans if k == "valid" else invalid_mpans),
    date=days,
    segment=st.sampled_from([s.value for s in Segment]),
    supplier=names,
    mem=names,
    data_service=names,
    settlement=st.sampled_from([s.value for s in Settlement]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    histories=histories,
    ldso_by_distributor=ldso_maps,
    plan=milestones,
    events=st.lists(gate_events, min_size=10, max_size=40),
)
def test_engine_decides_like_the_reference(histories, ldso_by_distributor, plan, events):
    events = [GateEvent(**{**e.__dict__, "ref": f"E{i}"}) for i, e in enumerate(events)]
    ctx = build_context(histories=histories, ldso_by_distributor=ldso_by_distributor, milestones=plan)
    expected = decide_in_full_with_reference(
        events, histories=histories, ldso_by_distributor=ldso_by_distributor, calendar=ctx.calendar
    )
    assert decide_in_full_with_engine(events, ctx) == expected
