"""The non-completion ladder (QA&P Annex 4) as data: reading a ladder file (docs/non-completion-ladder-format.md).

Annex 4's exact steps are not public in detail, so the escalation is a file the Programme loads, versioned like the
QAD and the QT catalogue, with a default of ours shipped in ``qualify/oversight/data/``. As for those files, the text is
composed into nodes (qualify/core/yamlfile.py) so every problem names its line and field, and every problem is
collected, not just the first. A loaded ladder is kept as the plain data ``LadderSpec.as_data`` gives, and read back
with ``LadderSpec.from_data``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qualify.core.yamlfile import FileInvalid, NodeReader, compose
from qualify.oversight.choices import Acts, LeadsTo, PartyKind
from qualify.participants.choices import MarketRole
from qualify.register.choices import RegisterEventKind

DEFAULT_LADDER = Path(__file__).resolve().parent / "data" / "non-completion-ladder.yaml"
VERSION_RE = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
LABEL_MAX = 200
DESCRIPTION_MAX = 2000
STEPS_MAX = 30
OUTCOMES_MAX = 10
DUE_MAX = 250  # working days: about a year
# A sanction may change the participation's status on the register only by these events.
SANCTION_EVENTS = (RegisterEventKind.SUSPENDED.value, RegisterEventKind.REVOKED.value)


class LadderFileInvalid(FileInvalid):
    """A ladder file with problems, each naming its line and field."""


@dataclass(frozen=True)
class OutcomeSpec:
    code: str
    label: str
    leads_to: str
    next: str = ""
    acts: str = ""  # "" when the step's own actor records it
    remediation_plan: bool = False  # recording it needs a remediation plan (milestones, owner, dates)


@dataclass(frozen=True)
class StepSpec:
    code: str
    label: str
    acts: str
    due_working_days: int
    outcomes: tuple[OutcomeSpec, ...]
    description: str = ""

    def outcome(self, code: str) -> OutcomeSpec | None:
        return next((o for o in self.outcomes if o.code == code), None)

    def who_for(self, outcome: OutcomeSpec) -> str:
        return outcome.acts or self.acts


@dataclass(frozen=True)
class SanctionSpec:
    code: str
    label: str
    applies_to: str
    register_event: str = ""
    resumes_case: bool = False


@dataclass(frozen=True)
class LadderSpec:
    version: str
    title: str
    parties: dict[str, str]  # market role -> PartyKind
    steps: tuple[StepSpec, ...]
    sanctions: tuple[SanctionSpec, ...] = field(default=())

    @property
    def first_step(self) -> StepSpec:
        return self.steps[0]

    def step(self, code: str) -> StepSpec | None:
        return next((s for s in self.steps if s.code == code), None)

    def party_of(self, role: str) -> str:
        return self.parties.get(role, "")

    def sanctions_for(self, role: str) -> tuple[SanctionSpec, ...]:
        party = self.party_of(role)
        return tuple(s for s in self.sanctions if s.applies_to == party)

    def sanction(self, code: str) -> SanctionSpec | None:
        return next((s for s in self.sanctions if s.code == code), None)

    def as_data(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title,
            "parties": dict(self.parties),
            "steps": [
                {
                    "code": s.code,
                    "label": s.label,
                    "description": s.description,
                    "acts": s.acts,
                    "due_working_days": s.due_working_days,
                    "outcomes": [o.__dict__ for o in s.outcomes],
                }
                for s in self.steps
            ],
            "sanctions": [s.__dict__ for s in self.sanctions],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LadderSpec:
        return cls(
            version=data["version"],
            title=data["title"],
            parties=dict(data["parties"]),
            steps=tuple(
                StepSpec(
                    code=s["code"],
                    label=s["label"],
                    description=s.get("description", ""),
                    acts=s["acts"],
                    due_working_days=int(s["due_working_days"]),
                    outcomes=tuple(OutcomeSpec(**o) for o in s["outcomes"]),
                )
                for s in data["steps"]
            ),
            sanctions=tuple(SanctionSpec(**s) for s in data["sanctions"]),
        )


class _Reader(NodeReader):
    key_chars = 60
    text_chars = LABEL_MAX
    item_chars = 32
    list_items = 50
    shown_chars = 60
    refuse_controls = True

    def sequence(self, node: yaml.Node | None, where: str, limit: int) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, "must be a list")
            return []
        if not node.value:
            self.problem(node, where, "must list at least one entry")
        if len(node.value) > limit:
            self.problem(node, where, f"lists {len(node.value)} entries; at most {limit} are allowed")
            return []
        return list(node.value)

    def whole(self, node: yaml.Node | None, where: str, low: int, high: int) -> int:
        value = self.text(node, where, max_length=6)
        if not value:
            return 0
        if not value.isdigit() or not low <= int(value) <= high:
            self.problem(node, where, f"{self.shown(value)} is not a whole number from {low} to {high}")  # type: ignore[arg-type]
            return 0
        return int(value)

    def flag(self, node: yaml.Node | None, where: str) -> bool:
        if node is None:
            return False
        value = self.text(node, where, max_length=5).lower()
        if value not in ("true", "false"):
            self.problem(node, where, "must be true or false")
        return value == "true"

    def one_of(self, node: yaml.Node | None, where: str, allowed: list[str], *, required: bool = True) -> str:
        value = self.text(node, where, required=required, max_length=32)
        if value and value not in allowed:
            self.problem(node, where, f"{self.shown(value)} is not one of {', '.join(allowed)}")  # type: ignore[arg-type]
            return ""
        return value


def _parties(r: _Reader, node: yaml.Node | None) -> dict[str, str]:
    fields = r.mapping(node, "parties", set(PartyKind.values), set()) if node is not None else None
    parties: dict[str, str] = {}
    if fields is None:
        return parties
    for kind, roles_node in fields.items():
        if kind not in PartyKind.values:
            continue
        for role in r.choices(roles_node, f"parties.{kind}", list(MarketRole.values), required=True):
            if role in parties:
                r.problem(roles_node, f"parties.{kind}", f"{role} is already a {parties[role]}")
            parties[role] = kind
    return parties


def _outcome(r: _Reader, node: yaml.Node, where: str) -> OutcomeSpec | None:
    fields = r.mapping(node, where, {"code", "label", "leads_to"}, {"next", "acts", "remediation_plan"})
    if fields is None:
        return None
    code = r.text(fields.get("code"), f"{where}.code", pattern=CODE_RE, form="capitals, digits and _")
    label = r.text(fields.get("label"), f"{where}.label")
    leads_to = r.one_of(fields.get("leads_to"), f"{where}.leads_to", list(LeadsTo.values))
    following = r.text(fields.get("next"), f"{where}.next", required=False, pattern=CODE_RE, form="a step code")
    if leads_to == LeadsTo.STEP and not following and "next" not in fields:
        r.problem(node, f"{where}.next", "is required when the outcome leads to another step")
    if leads_to and leads_to != LeadsTo.STEP and following:
        r.problem(fields["next"], f"{where}.next", f"is only for an outcome that leads to a step, not {leads_to}")
    acts = r.one_of(fields.get("acts"), f"{where}.acts", list(Acts.values), required=False)
    plan = r.flag(fields.get("remediation_plan"), f"{where}.remediation_plan")
    return OutcomeSpec(code, label, leads_to, following, acts, plan)


def _step(r: _Reader, node: yaml.Node, where: str) -> StepSpec | None:
    fields = r.mapping(node, where, {"code", "label", "acts", "due_working_days", "outcomes"}, {"description"})
    if fields is None:
        return None
    code = r.text(fields.get("code"), f"{where}.code", pattern=CODE_RE, form="capitals, digits and _")
    label = r.text(fields.get("label"), f"{where}.label")
    description = r.text(
        fields.get("description"), f"{where}.description", required=False, max_length=DESCRIPTION_MAX, multiline=True
    )
    acts = r.one_of(fields.get("acts"), f"{where}.acts", list(Acts.values))
    due = r.whole(fields.get("due_working_days"), f"{where}.due_working_days", 1, DUE_MAX)
    outcomes: list[OutcomeSpec] = []
    for index, item in enumerate(r.sequence(fields.get("outcomes"), f"{where}.outcomes", OUTCOMES_MAX)):
        outcome = _outcome(r, item, f"{where}.outcomes[{index}]")
        if outcome is None:
            continue
        if outcome.code and any(o.code == outcome.code for o in outcomes):
            r.problem(item, f"{where}.outcomes[{index}].code", f"{outcome.code} appears twice in this step")
        outcomes.append(outcome)
    return StepSpec(code, label, acts, due, tuple(outcomes), description)


def _sanction(r: _Reader, node: yaml.Node, where: str) -> SanctionSpec | None:
    fields = r.mapping(node, where, {"code", "label", "applies_to"}, {"register_event", "resumes_case"})
    if fields is None:
        return None
    return SanctionSpec(
        code=r.text(fields.get("code"), f"{where}.code", pattern=CODE_RE, form="capitals, digits and _"),
        label=r.text(fields.get("label"), f"{where}.label"),
        applies_to=r.one_of(fields.get("applies_to"), f"{where}.applies_to", list(PartyKind.values)),
        register_event=r.one_of(
            fields.get("register_event"), f"{where}.register_event", list(SANCTION_EVENTS), required=False
        ),
        resumes_case=r.flag(fields.get("resumes_case"), f"{where}.resumes_case"),
    )


def parse_ladder(text: str) -> LadderSpec:
    """Read a ladder file's text, or raise ``LadderFileInvalid`` listing every problem by line and field."""
    root = compose(text, invalid=LadderFileInvalid)
    r = _Reader()
    fields = r.mapping(root, "", {"version", "title", "parties", "steps"}, {"sanctions"})
    if fields is None:
        raise LadderFileInvalid(r.problems)
    version = r.text(fields.get("version"), "version", pattern=VERSION_RE, form="e.g. 1.0")
    title = r.text(fields.get("title"), "title")
    parties = _parties(r, fields.get("parties"))
    steps: list[StepSpec] = []
    step_nodes = r.sequence(fields.get("steps"), "steps", STEPS_MAX)
    for index, item in enumerate(step_nodes):
        step = _step(r, item, f"steps[{index}]")
        if step is None:
            continue
        if step.code and any(s.code == step.code for s in steps):
            r.problem(item, f"steps[{index}].code", f"{step.code} appears twice")
        steps.append(step)
    sanctions: list[SanctionSpec] = []
    sanction_nodes = r.sequence(fields.get("sanctions"), "sanctions", OUTCOMES_MAX)
    for index, item in enumerate(sanction_nodes):
        sanction = _sanction(r, item, f"sanctions[{index}]")
        if sanction is None:
            continue
        if sanction.code and any(s.code == sanction.code for s in sanctions):
            r.problem(item, f"sanctions[{index}].code", f"{sanction.code} appears twice")
        sanctions.append(sanction)
    _check_links(r, steps, step_nodes, sanctions, fields)
    for role in MarketRole.values:
        if parties and role not in parties:
            r.problem(fields["parties"], "parties", f"does not say whether {role} is a BSC party or an agent")
    if r.problems:
        raise LadderFileInvalid(r.problems)
    return LadderSpec(version, title, parties, tuple(steps), tuple(sanctions))


def _outcome_node(step_node: yaml.Node, index: int) -> yaml.Node:
    """The node of a step's ``index``-th outcome (the step's own where it cannot be found), for its line."""
    if isinstance(step_node, yaml.MappingNode):
        for key, value in step_node.value:
            if key.value == "outcomes" and isinstance(value, yaml.SequenceNode) and index < len(value.value):
                found: yaml.Node = value.value[index]
                return found
    return step_node


def _check_links(
    r: _Reader,
    steps: list[StepSpec],
    step_nodes: list[yaml.Node],
    sanctions: list[SanctionSpec],
    fields: dict[str, yaml.Node],
) -> None:
    """Each outcome leads somewhere that exists: a known step, and for a sanction one that applies to each party."""
    codes = {s.code for s in steps}
    sanctioning = False
    for index, (step, node) in enumerate(zip(steps, step_nodes, strict=False)):
        for o_index, outcome in enumerate(step.outcomes):
            where = f"steps[{index}].outcomes[{o_index}].next"
            if outcome.leads_to == LeadsTo.STEP and outcome.next and outcome.next not in codes:
                r.problem(_outcome_node(node, o_index), where, f"{outcome.next} is not a step of this ladder")
            sanctioning = sanctioning or outcome.leads_to == LeadsTo.SANCTION
    if sanctioning:
        for kind in PartyKind.values:
            if not any(s.applies_to == kind for s in sanctions):
                r.problem(fields.get("sanctions", fields["steps"]), "sanctions", f"lists no sanction for a {kind}")


def default_ladder_text() -> str:
    return DEFAULT_LADDER.read_text(encoding="utf-8")
