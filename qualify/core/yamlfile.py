"""Reading an uploaded YAML (or JSON) file as composed nodes, so every problem names its line and field.

The QAD loader (qualify/qad/loader.py) and the QT catalogue loader (qualify/testing/loader.py) both compose the
file into nodes rather than loading it straight into Python values, walk the nodes with a ``NodeReader``, and
collect every problem, not just the first, so the author fixes the file in one pass. What the two apps read
differently (how long a value may be, how a value is quoted back, whether control characters are refused) is a
setting of each app's ``NodeReader`` subclass.

A file is bounded before it is composed: its length, how deep it nests and how many values it holds are checked on
the parser's event stream (flat, so a file nested 20,000 levels deep is one clear problem, not a ``RecursionError``),
and aliases are refused (a few lines of aliases can stand for billions of values). A refusal lists the first
``SHOWN_PROBLEMS`` problems and the count, so a file with a problem on every line does not make an error of megabytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from qualify.core.errors import ValidationFailed
from qualify.core.text import one_line

SHOWN_PROBLEMS = 50  # problems listed in an error's details; the count says how many there were in all
PROBLEM_CHARS = 300  # a problem's message is cut to this many characters in an error
MAX_DEPTH = 20  # mappings and lists inside one another; the deepest real file (a QAD question's columns) has 7
MAX_NODES = 200_000  # values, mappings and lists in one file, where the app does not say
_EVENT_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed: the check is quick


@dataclass(frozen=True)
class FileProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class FileInvalid(Exception):
    """A file with problems; each app raises its own subclass (QadFileInvalid, CatalogueFileInvalid)."""

    def __init__(self, problems: list[FileProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def failed(self, what: str, *, code: str) -> ValidationFailed:
        """The service error for this file (``what`` is e.g. "The QAD file"): the first ``SHOWN_PROBLEMS`` problems
        with their lines, each message bounded, and ``count``, how many there were in all."""
        more = " …" if len(self.problems) > 1 else ""
        shown = [
            {"line": p.line, "field": one_line(p.field, limit=200), "message": one_line(p.message, limit=PROBLEM_CHARS)}
            for p in self.problems[:SHOWN_PROBLEMS]
        ]
        first = one_line(str(self.problems[0]), limit=PROBLEM_CHARS, mark_cut=True)
        return ValidationFailed(
            f"{what} has {len(self.problems):,} problem(s): {first}{more}",
            details={"problems": shown, "count": len(self.problems)},
            code=code,
        )


def node_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _event_line(event: yaml.Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 1


def _walk_events(events: Iterable[yaml.Event], *, invalid: type[FileInvalid], max_depth: int, max_nodes: int) -> None:
    depth = nodes = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            nodes += 1
            if depth > max_depth:
                message = f"nests more than {max_depth} levels deep; no QAD or catalogue needs that many"
                raise invalid([FileProblem(_event_line(event), "(file)", message)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            message = "uses a YAML alias (*name); write the value out instead"
            raise invalid([FileProblem(_event_line(event), "(file)", message)])
        elif isinstance(event, yaml.ScalarEvent):
            nodes += 1
        if nodes > max_nodes:
            message = f"holds more than {max_nodes:,} values; split it or remove what is not needed"
            raise invalid([FileProblem(_event_line(event), "(file)", message)])


def _check_shape(text: str, *, invalid: type[FileInvalid], max_depth: int, max_nodes: int) -> None:
    """Refuse a file that nests deeper than ``max_depth``, holds more than ``max_nodes`` values or uses aliases,
    reading the parser's events (no recursion, and it stops at the first excess).

    libyaml's parser is quick but reads ahead and stops at its own nesting limit with an error; on any YAML error
    the file is read again by PyYAML's parser, which reads no further than it must, so the excess is reported as
    such. An error found that way is left for ``compose`` to report in its usual words: up to it, the file was
    within bounds.
    """
    try:
        _walk_events(yaml.parse(text, Loader=_EVENT_LOADER), invalid=invalid, max_depth=max_depth, max_nodes=max_nodes)
    except yaml.YAMLError:
        try:
            _walk_events(
                yaml.parse(text, Loader=yaml.SafeLoader), invalid=invalid, max_depth=max_depth, max_nodes=max_nodes
            )
        except yaml.YAMLError:
            return


def compose(
    text: str,
    *,
    invalid: type[FileInvalid],
    detail_unmarked: bool = False,
    max_chars: int | None = None,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> yaml.Node:
    """Compose ``text`` into nodes, or raise ``invalid`` with the line YAML stopped at.

    An error YAML cannot place (an unreadable character, say) is reported on line 1, with YAML's own account of it
    only where ``detail_unmarked`` asks for it. A file longer than ``max_chars``, nesting deeper than ``max_depth``
    or holding more than ``max_nodes`` values is refused before it is composed.
    """
    if max_chars is not None and len(text) > max_chars:
        message = f"is {len(text):,} characters long; at most {max_chars:,} are accepted"
        raise invalid([FileProblem(1, "(file)", message)])
    _check_shape(text, invalid=invalid, max_depth=max_depth, max_nodes=max_nodes)
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        raise invalid([FileProblem(line, "(file)", f"is not valid YAML or JSON: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        message = f"is not valid YAML or JSON: {exc}" if detail_unmarked else "is not valid YAML or JSON"
        raise invalid([FileProblem(1, "(file)", message)]) from exc
    if root is None:
        raise invalid([FileProblem(1, "(file)", "is empty")])
    return root


class NodeReader:
    """Walks the composed nodes, converting values and recording every problem with its line.

    A subclass may bound what it reads and quotes back; ``None`` means no bound.
    """

    root_field = ""  # the field named when the top level is not a mapping
    key_chars: int | None = None  # a field name is quoted back cut to this many characters
    text_chars: int | None = None  # the longest value, where a call does not say
    item_chars: int | None = None  # the longest value in a list
    list_items: int | None = None  # the most values in a list, where a call does not say
    shown_chars: int | None = None  # a value quoted back in a message is cut to this many characters
    refuse_controls = False  # a value with control characters (line breaks too, unless multiline) is refused

    def __init__(self) -> None:
        self.problems: list[FileProblem] = []

    def problem(self, node: yaml.Node, where: str, message: str) -> None:
        self.problems.append(FileProblem(node_line(node), where, message))

    def shown(self, value: str) -> str:
        """A value quoted back in a message: bounded, so a pasted essay does not become an essay of an error."""
        limit = self.shown_chars
        return repr(value if limit is None or len(value) <= limit else value[: limit - 3] + "...")

    def mapping(
        self, node: yaml.Node, where: str, required: set[str], optional: set[str]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, where or self.root_field, "must be a mapping of field: value")
            return None
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if self.key_chars is not None:
                key = key[: self.key_chars]
            name = f"{where}.{key}" if where else key
            if key in fields:
                self.problem(key_node, name, "appears twice")
            elif key not in required | optional:
                known = ", ".join(sorted(required | optional))
                self.problem(key_node, name, f"is not a known field (known fields: {known})")
            fields[key] = value_node
        for key in sorted(required - set(fields)):
            self.problem(node, f"{where}.{key}" if where else key, "is required but missing")
        return fields

    def text(
        self,
        node: yaml.Node | None,
        where: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        max_length: int | None = None,
        multiline: bool = False,
        form: str = "",
    ) -> str:
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, where, "must be a single value, not a list or mapping")
            return ""
        value = str(node.value).strip()
        if self.refuse_controls:
            allowed_controls = {"\n", "\t"} if multiline else set()
            if any(unicodedata.category(ch) == "Cc" and ch not in allowed_controls for ch in value):
                self.problem(node, where, "contains control characters" + ("" if multiline else " (or line breaks)"))
                return ""
        limit = self.text_chars if max_length is None else max_length
        if required and not value:
            self.problem(node, where, "must not be empty")
        elif limit is not None and len(value) > limit:
            self.problem(node, where, f"is {len(value):,} characters long; at most {limit:,} are allowed")
        elif pattern is not None and value and not pattern.match(value):
            expected = f" ({form})" if form else ""
            self.problem(node, where, f"{self.shown(value)} is not in the expected form{expected}")
        return value

    def choices(
        self,
        node: yaml.Node | None,
        where: str,
        allowed: list[str] | None,
        *,
        required: bool,
        all_word: bool = False,
        pattern: re.Pattern[str] | None = None,
        form: str = "",
        max_items: int | None = None,
    ) -> list[str]:
        if node is None:
            return list(allowed) if all_word and allowed else []
        if all_word and isinstance(node, yaml.ScalarNode) and str(node.value).upper() == "ALL" and allowed:
            return list(allowed)
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, "must be a list" + (" (or ALL)" if all_word else ""))
            return []
        limit = self.list_items if max_items is None else max_items
        if limit is not None and len(node.value) > limit:
            self.problem(node, where, f"lists {len(node.value)} values; at most {limit} are allowed")
            return []
        values: list[str] = []
        for index, item in enumerate(node.value):
            value = self.text(item, f"{where}[{index}]", pattern=pattern, form=form, max_length=self.item_chars)
            if allowed is not None and value and value not in allowed:
                self.problem(item, f"{where}[{index}]", f"{self.shown(value)} is not one of {', '.join(allowed)}")
            elif value and value in values:
                self.problem(item, f"{where}[{index}]", f"{self.shown(value)} is listed twice")
            elif value:
                values.append(value)
        if required and not node.value:
            self.problem(node, where, "must list at least one value")
        return values
