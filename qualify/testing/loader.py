"""Reading a QT test catalogue file (docs/qt-catalogue-format.md) into a checked, typed description.

The file is YAML (JSON is accepted too, being YAML's plain subset). As for the QAD (qualify/qad/loader.py), it is
composed into nodes rather than loaded straight into Python values, so every problem names its line, the field and
what is wrong, and every problem is collected, not just the first, so the author fixes the file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from qualify.core.yamlfile import FileInvalid, NodeReader, compose, node_line
from qualify.core.yamlfile import FileProblem as FileProblem  # workbook.py reads it from here
from qualify.participants.choices import MarketRole
from qualify.plan.choices import Segment
from qualify.qad.loader import QID_RE
from qualify.testing.choices import QT_ROUTES, MinimumSet

# The library's forms (qualify/library/models.py): a catalogue version is a library version of one artefact.
VERSION_RE = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
DOCUMENT_RE = re.compile(r"^(MHHS-DEL[0-9]{4}|DEL[0-9]{4}|DEL-[0-9]{3})$")
CASE_ID_RE = re.compile(r"^QT-[0-9]{3,5}$")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,23}$")
REQUIREMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,39}$")

TITLE_MAX = 200
STEPS_MAX = 4000
REQUIREMENTS_MAX = 50
CASES_MAX = 5000
QAD_QUESTIONS_MAX = 20


@dataclass
class BatchSpec:
    code: str
    title: str
    qad_questions: list[str] = field(default_factory=list)  # the QAD questions its results are evidence for
    line: int = field(default=0, compare=False)  # where it was written, for problems found later


@dataclass
class OptionalFunctionSpec:
    code: str
    title: str
    roles: list[str]


@dataclass
class CaseSpec:
    case_id: str
    title: str
    batch: str
    roles: list[str]
    segments: list[str]
    routes: list[str]
    requirements: list[str]
    steps: str
    minimum_sets: list[str]
    optional_function: str


@dataclass
class CatalogueSpec:
    version: str
    title: str
    document: str
    status: str
    batches: list[BatchSpec] = field(default_factory=list)
    optional_functions: list[OptionalFunctionSpec] = field(default_factory=list)
    cases: list[CaseSpec] = field(default_factory=list)


class CatalogueFileInvalid(FileInvalid):
    """A catalogue file (or workbook) with problems, each naming its line and field."""


class _Reader(NodeReader):
    """The catalogue's reader: bounded values (and bounded quotes of them), no control characters; and lists of
    nodes (batches, cases) that must not be empty."""

    root_field = "(file)"
    key_chars = 40
    text_chars = TITLE_MAX
    item_chars = 60
    list_items = 100
    shown_chars = 60
    refuse_controls = True

    def sequence(self, node: yaml.Node | None, where: str, what: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, f"must be a list of {what}")
            return []
        if not node.value:
            self.problem(node, where, f"must list at least one {what.removesuffix('s')}")
        return list(node.value)


CASE_REQUIRED = {"id", "title", "batch", "roles", "segments", "requirements", "steps"}
CASE_OPTIONAL = {"routes", "minimum_sets", "optional_function"}


def _batches(r: _Reader, node: yaml.Node | None) -> list[BatchSpec]:
    batches: list[BatchSpec] = []
    for index, item in enumerate(r.sequence(node, "batches", "batches")):
        where = f"batches[{index}]"
        f = r.mapping(item, where, {"code", "title"}, {"qad_questions"})
        if f is None:
            continue
        code = r.text(f.get("code"), f"{where}.code", pattern=CODE_RE, form="capitals, digits and _, e.g. FUNCTIONAL_1")
        if code and any(b.code == code for b in batches):
            r.problem(f["code"], f"{where}.code", f"batch {code} appears twice")
        questions = r.choices(
            f.get("qad_questions"),
            f"{where}.qad_questions",
            None,
            required=False,
            pattern=QID_RE,
            form="a QAD question id, e.g. Q-3.4",
            max_items=QAD_QUESTIONS_MAX,
        )
        batches.append(
            BatchSpec(
                code=code,
                title=r.text(f.get("title"), f"{where}.title"),
                qad_questions=questions,
                line=node_line(f.get("code") or item),
            )
        )
    return batches


def _optional_functions(r: _Reader, node: yaml.Node | None) -> list[OptionalFunctionSpec]:
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        r.problem(node, "optional_functions", "must be a list of optional functions")
        return []
    functions: list[OptionalFunctionSpec] = []
    for index, item in enumerate(node.value):
        where = f"optional_functions[{index}]"
        f = r.mapping(item, where, {"code", "title", "roles"}, set())
        if f is None:
            continue
        code = r.text(f.get("code"), f"{where}.code", pattern=CODE_RE, form="capitals, digits and _, e.g. UMS_SUPPLY")
        if code and any(o.code == code for o in functions):
            r.problem(f["code"], f"{where}.code", f"optional function {code} appears twice")
        functions.append(
            OptionalFunctionSpec(
                code=code,
                title=r.text(f.get("title"), f"{where}.title"),
                roles=r.choices(
                    f.get("roles"), f"{where}.roles", list(MarketRole.values), required=True, all_word=True
                ),
            )
        )
    return functions


def _case(
    r: _Reader, node: yaml.Node, where: str, batches: list[str], functions: dict[str, OptionalFunctionSpec]
) -> CaseSpec | None:
    f = r.mapping(node, where, CASE_REQUIRED, CASE_OPTIONAL)
    if f is None:
        return None
    batch = r.text(f.get("batch"), f"{where}.batch")
    if batch and batches and batch not in batches:
        r.problem(
            f["batch"], f"{where}.batch", f"{r.shown(batch)} is not one of the batches listed ({', '.join(batches)})"
        )
    roles = r.choices(f.get("roles"), f"{where}.roles", list(MarketRole.values), required=True, all_word=True)
    optional_function = r.text(f.get("optional_function"), f"{where}.optional_function", max_length=24)
    if optional_function:
        function = functions.get(optional_function)
        if function is None:
            known = ", ".join(functions) or "none are listed"
            r.problem(
                f["optional_function"],
                f"{where}.optional_function",
                f"{r.shown(optional_function)} is not one of the optional functions listed ({known})",
            )
        elif set(roles) - set(function.roles):
            outside = ", ".join(sorted(set(roles) - set(function.roles)))
            r.problem(
                f["optional_function"],
                f"{where}.optional_function",
                f"{optional_function} is optional only for {', '.join(function.roles)}, not for {outside}",
            )
    return CaseSpec(
        case_id=r.text(f.get("id"), f"{where}.id", pattern=CASE_ID_RE, max_length=8, form="QT- then 3 to 5 digits"),
        title=r.text(f.get("title"), f"{where}.title"),
        batch=batch,
        roles=roles,
        segments=r.choices(f.get("segments"), f"{where}.segments", list(Segment.values), required=True, all_word=True),
        routes=r.choices(f.get("routes"), f"{where}.routes", list(QT_ROUTES), required=True, all_word=True),
        requirements=r.choices(
            f.get("requirements"),
            f"{where}.requirements",
            None,
            required=True,
            pattern=REQUIREMENT_RE,
            form="letters, digits, dots, dashes, slashes; at most 40 characters",
            max_items=REQUIREMENTS_MAX,
        ),
        steps=r.text(f.get("steps"), f"{where}.steps", max_length=STEPS_MAX, multiline=True),
        minimum_sets=r.choices(f.get("minimum_sets"), f"{where}.minimum_sets", list(MinimumSet.values), required=False),
        optional_function=optional_function,
    )


def parse_catalogue(text: str) -> CatalogueSpec:
    """Check a catalogue file and describe it; raise CatalogueFileInvalid listing every problem found."""
    return parse_nodes(compose(text, invalid=CatalogueFileInvalid))


def parse_nodes(root: yaml.Node) -> CatalogueSpec:
    """Check a catalogue already composed into nodes (from YAML, or built from a workbook by workbook.py)."""
    r = _Reader()
    top = r.mapping(root, "", {"version", "title", "document", "batches", "cases"}, {"status", "optional_functions"})
    if top is None:
        raise CatalogueFileInvalid(r.problems)
    spec = CatalogueSpec(
        version=r.text(top.get("version"), "version", pattern=VERSION_RE, max_length=8, form="e.g. 1.0 or 2.01"),
        title=r.text(top.get("title"), "title"),
        document=r.text(top.get("document"), "document", pattern=DOCUMENT_RE, max_length=16, form="e.g. MHHS-DEL1234"),
        status=r.text(top.get("status"), "status", required=False, max_length=40),
    )
    spec.batches = _batches(r, top.get("batches"))
    spec.optional_functions = _optional_functions(r, top.get("optional_functions"))
    batch_codes = [b.code for b in spec.batches if b.code]
    functions = {o.code: o for o in spec.optional_functions if o.code}
    case_nodes = r.sequence(top.get("cases"), "cases", "cases")
    if len(case_nodes) > CASES_MAX:
        r.problem(top["cases"], "cases", f"lists {len(case_nodes):,} cases; at most {CASES_MAX:,} are allowed")
        case_nodes = []
    seen: dict[str, int] = {}
    for index, node in enumerate(case_nodes):
        where = f"cases[{index}]"
        case = _case(r, node, where, batch_codes, functions)
        if case is None:
            continue
        if case.case_id and case.case_id in seen:
            r.problem(node, f"{where}.id", f"{case.case_id} is used by an earlier case (line {seen[case.case_id]})")
        elif case.case_id:
            seen[case.case_id] = node_line(node)
        spec.cases.append(case)
    used = {c.batch for c in spec.cases}
    for index, batch in enumerate(spec.batches):
        if spec.cases and batch.code and batch.code not in used:
            r.problems.append(FileProblem(batch.line, f"batches[{index}].code", f"batch {batch.code} has no test case"))
    if r.problems:
        raise CatalogueFileInvalid(sorted(r.problems, key=lambda p: p.line))
    return spec
