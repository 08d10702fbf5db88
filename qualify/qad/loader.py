"""Reading a QAD version file (docs/qad-format.md) into a checked, typed description.

The file is YAML (JSON is accepted too, being YAML's plain subset). It is composed into nodes rather than loaded
straight into Python values, so every problem can name the line it is on, the field, and what is wrong; every
problem is collected, not just the first, so the author fixes the file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from qualify.core.yamlfile import FileInvalid, FileProblem, NodeReader, compose, node_line
from qualify.participants.choices import ExemptionKind, MarketRole, Route
from qualify.qad.choices import APPROVALS_BY_ROLE, AnswerType, Body, EvidenceKind
from qualify.qad.rules import unapproved_roles

VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
NUMBER_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
QID_RE = re.compile(r"^Q-[0-9A-Za-z][0-9A-Za-z.\-]{0,37}$")
COLUMN_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
QUESTIONS_MAX = 2_000  # the real QAD has under a hundred; a larger file is refused before any question is read
MAX_FILE_CHARS = 2_000_000  # the real QAD is some 20,000 characters
MAX_FILE_BYTES = 4 * MAX_FILE_CHARS  # what a page reads of an upload at most (UTF-8 takes up to 4 bytes a character)
MAX_NODES = 100_000  # values in the file: some 21 a question, with room for long choice lists
TRUE = {"true", "yes", "on"}
FALSE = {"false", "no", "off"}
CHOICE_TYPES = {AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE}


@dataclass
class QuestionSpec:
    qid: str
    number: str
    text: str
    guidance: str
    answer_type: str
    choices: list[str]
    columns: list[dict[str, str]]
    mandatory: bool
    evidence_required: bool
    evidence_kinds: list[str]
    owner: str
    roles: list[str]
    routes: list[str]
    excluded_by_exemptions: list[str]
    only_with_exemptions: list[str] = field(default_factory=list)
    advisory: bool = False


@dataclass
class SectionSpec:
    number: str
    title: str
    owner: str
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass
class VersionSpec:
    version: str
    title: str
    status: str
    sections: list[SectionSpec]

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)


class QadFileInvalid(FileInvalid):
    """A QAD version file with problems, each naming its line and field."""


class _Reader(NodeReader):
    """The QAD's reader: values as written, quoted back in full; and the QAD's true/false and one-of fields."""

    def boolean(self, node: yaml.Node | None, where: str, default: bool) -> bool:
        if node is None:
            return default
        value = self.text(node, where).lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        if value:
            self.problem(node, where, f"{value!r} must be true or false")
        return default

    def choice(self, node: yaml.Node | None, where: str, allowed: list[str], default: str = "") -> str:
        if node is None:
            return default
        value = self.text(node, where)
        if value and value not in allowed:
            self.problem(node, where, f"{value!r} is not one of {', '.join(allowed)}")
        return value


QUESTION_REQUIRED = {"id", "number", "text", "type", "roles", "routes"}
QUESTION_OPTIONAL = {
    "guidance",
    "choices",
    "columns",
    "mandatory",
    "evidence_required",
    "evidence_kinds",
    "owner",
    "advisory",
    "excluded_by_exemptions",
    "only_with_exemptions",
}


def _question(r: _Reader, node: yaml.Node, where: str, section: SectionSpec) -> QuestionSpec | None:
    f = r.mapping(node, where, QUESTION_REQUIRED, QUESTION_OPTIONAL)
    if f is None:
        return None
    number = r.text(f.get("number"), f"{where}.number", pattern=NUMBER_RE)
    if number and section.number and not number.startswith(f"{section.number}."):
        r.problem(f["number"], f"{where}.number", f"{number} is not inside section {section.number}")
    answer_type = r.choice(f.get("type"), f"{where}.type", list(AnswerType.values))
    choices = r.choices(f.get("choices"), f"{where}.choices", None, required=False)
    if answer_type in CHOICE_TYPES and len(choices) < 2:
        r.problem(f.get("choices") or node, f"{where}.choices", f"a {answer_type} question needs two or more choices")
    if answer_type not in CHOICE_TYPES and "choices" in f:
        r.problem(f["choices"], f"{where}.choices", f"only choice questions have choices, not {answer_type}")
    columns = _columns(r, f.get("columns"), f"{where}.columns")
    if answer_type == AnswerType.TABLE and not columns:
        r.problem(f.get("columns") or node, f"{where}.columns", "a table question needs its columns")
    if answer_type != AnswerType.TABLE and "columns" in f:
        r.problem(f["columns"], f"{where}.columns", f"only table questions have columns, not {answer_type}")
    evidence_required = r.boolean(f.get("evidence_required"), f"{where}.evidence_required", False)
    kinds = r.choices(f.get("evidence_kinds"), f"{where}.evidence_kinds", list(EvidenceKind.values), required=False)
    if evidence_required and not kinds and "evidence_kinds" not in f:
        r.problem(node, f"{where}.evidence_kinds", "evidence is required, so say which kinds (evidence_kinds)")
    spec = QuestionSpec(
        qid=r.text(f.get("id"), f"{where}.id", pattern=QID_RE),
        number=number,
        text=r.text(f.get("text"), f"{where}.text"),
        guidance=r.text(f.get("guidance"), f"{where}.guidance", required=False),
        answer_type=answer_type,
        choices=choices,
        columns=columns,
        mandatory=r.boolean(f.get("mandatory"), f"{where}.mandatory", True),
        evidence_required=evidence_required,
        evidence_kinds=kinds,
        owner=r.choice(f.get("owner"), f"{where}.owner", list(Body.values), default=section.owner),
        roles=r.choices(f.get("roles"), f"{where}.roles", list(MarketRole.values), required=True, all_word=True),
        routes=r.choices(f.get("routes"), f"{where}.routes", list(Route.values), required=True, all_word=True),
        excluded_by_exemptions=r.choices(
            f.get("excluded_by_exemptions"),
            f"{where}.excluded_by_exemptions",
            list(ExemptionKind.values),
            required=False,
        ),
        only_with_exemptions=r.choices(
            f.get("only_with_exemptions"),
            f"{where}.only_with_exemptions",
            list(ExemptionKind.values),
            required=False,
        ),
        advisory=r.boolean(f.get("advisory"), f"{where}.advisory", False),
    )
    _check_ownership(r, f, node, where, spec)
    _check_exemptions(r, f, where, spec)
    return spec


def _check_ownership(r: _Reader, f: dict[str, yaml.Node], node: yaml.Node, where: str, q: QuestionSpec) -> None:
    """A question is assessed by its one owner, which must approve every role it applies to (DOMAIN.md §2, §6);
    a question that reaches other roles says so with ``advisory: true`` (and then only such a question may)."""
    if q.owner not in Body.values or not q.roles:
        return  # the owner or roles are wrong already, and reported as such
    name = f"question {q.number} ({q.qid})" if q.number and q.qid else "the question"
    outside = unapproved_roles(q.owner, q.roles)
    if outside and not q.advisory:
        roles_node = f.get("roles", node)
        line_node = roles_node
        if isinstance(roles_node, yaml.SequenceNode):
            line_node = next((item for item in roles_node.value if str(item.value).strip() == outside[0]), roles_node)
        approvers = "; ".join(f"{role} is approved by {', '.join(APPROVALS_BY_ROLE[role])}" for role in outside)
        r.problem(
            line_node,
            f"{where}.roles",
            f"{name} is owned by {q.owner} but applies to {', '.join(outside)}, which {q.owner} does not approve "
            f"({approvers}): give it to a body that approves every role it applies to, narrow its roles, "
            "or mark it advisory: true",
        )
    if q.advisory and not outside:
        r.problem(
            f["advisory"],
            f"{where}.advisory",
            f"{name} is marked advisory, but its owner {q.owner} approves every role it applies to "
            f"({', '.join(q.roles)}), so there is nothing it advises on: remove advisory",
        )


def _check_exemptions(r: _Reader, f: dict[str, yaml.Node], where: str, q: QuestionSpec) -> None:
    """A question asked only with an exemption cannot also be removed by that exemption: it would never apply."""
    both = [kind for kind in q.only_with_exemptions if kind in q.excluded_by_exemptions]
    if both:
        name = f"question {q.number} ({q.qid})" if q.number and q.qid else "the question"
        r.problem(
            f["only_with_exemptions"],
            f"{where}.only_with_exemptions",
            f"{', '.join(both)} is also in excluded_by_exemptions, so {name} would never apply: keep it in one list",
        )


def _columns(r: _Reader, node: yaml.Node | None, where: str) -> list[dict[str, str]]:
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        r.problem(node, where, "must be a list of {id, title}")
        return []
    columns: list[dict[str, str]] = []
    for index, item in enumerate(node.value):
        f = r.mapping(item, f"{where}[{index}]", {"id", "title"}, set())
        if f is None:
            continue
        column_id = r.text(f.get("id"), f"{where}[{index}].id", pattern=COLUMN_RE)
        if column_id and any(c["id"] == column_id for c in columns):
            r.problem(item, f"{where}[{index}].id", f"{column_id!r} is used twice")
        columns.append({"id": column_id, "title": r.text(f.get("title"), f"{where}[{index}].title")})
    return columns


def _check_question_count(sections: yaml.Node | None) -> None:
    """Refuse a file with more than ``QUESTIONS_MAX`` questions before reading any of them."""
    if not isinstance(sections, yaml.SequenceNode):
        return
    count = 0
    for section in sections.value:
        if isinstance(section, yaml.MappingNode):
            for key, value in section.value:
                if key.value == "questions" and isinstance(value, yaml.SequenceNode):
                    count += len(value.value)
    if count > QUESTIONS_MAX:
        message = f"holds {count:,} questions; at most {QUESTIONS_MAX:,} are accepted"
        raise QadFileInvalid([FileProblem(node_line(sections), "sections", message)])


def parse_version(text: str) -> VersionSpec:
    """Check a QAD version file and describe it; raise QadFileInvalid listing every problem found."""
    root = compose(text, invalid=QadFileInvalid, detail_unmarked=True, max_chars=MAX_FILE_CHARS, max_nodes=MAX_NODES)
    r = _Reader()
    top = r.mapping(root, "", {"version", "title", "sections"}, {"status"})
    if top is None:
        raise QadFileInvalid(r.problems)
    _check_question_count(top.get("sections"))
    spec = VersionSpec(
        version=r.text(top.get("version"), "version", pattern=VERSION_RE),
        title=r.text(top.get("title"), "title"),
        status=r.text(top.get("status"), "status", required=False),
        sections=[],
    )
    sections_node = top.get("sections")
    if sections_node is not None and not isinstance(sections_node, yaml.SequenceNode):
        r.problem(sections_node, "sections", "must be a list of sections")
    elif sections_node is not None:
        if not sections_node.value:
            r.problem(sections_node, "sections", "must list at least one section")
        seen_sections: set[str] = set()
        seen_ids: set[str] = set()
        seen_numbers: set[str] = set()
        for s_index, s_node in enumerate(sections_node.value):
            where = f"sections[{s_index}]"
            f = r.mapping(s_node, where, {"number", "title", "owner", "questions"}, set())
            if f is None:
                continue
            section = SectionSpec(
                number=r.text(f.get("number"), f"{where}.number", pattern=NUMBER_RE),
                title=r.text(f.get("title"), f"{where}.title"),
                owner=r.choice(f.get("owner"), f"{where}.owner", list(Body.values)),
            )
            if section.number in seen_sections:
                r.problem(f["number"], f"{where}.number", f"section {section.number} appears twice")
            seen_sections.add(section.number)
            q_nodes = f.get("questions")
            if q_nodes is not None and (not isinstance(q_nodes, yaml.SequenceNode) or not q_nodes.value):
                r.problem(q_nodes, f"{where}.questions", "must be a list of at least one question")
            elif q_nodes is not None:
                for q_index, q_node in enumerate(q_nodes.value):
                    q_where = f"{where}.questions[{q_index}]"
                    question = _question(r, q_node, q_where, section)
                    if question is None:
                        continue
                    if question.qid and question.qid in seen_ids:
                        r.problem(q_node, f"{q_where}.id", f"{question.qid} is used by an earlier question")
                    if question.number and question.number in seen_numbers:
                        r.problem(q_node, f"{q_where}.number", f"question {question.number} appears twice")
                    seen_ids.add(question.qid)
                    seen_numbers.add(question.number)
                    section.questions.append(question)
            spec.sections.append(section)
    if r.problems:
        raise QadFileInvalid(sorted(r.problems, key=lambda p: p.line))
    return spec
