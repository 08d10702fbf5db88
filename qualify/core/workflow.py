"""One engine for every state machine (STYLE.md rules 9-10).

A workflow is a declarative table of transitions: which states it leaves from, the state it reaches, who may take it
(a pure permission function returning a Decision), guards that return a reason to refuse, and whether a comment or an
effective date is required. ``apply_transition`` is the only code that assigns a state field: it locks the row,
re-validates against the locked copy, applies the move, lets the workflow record it (transition row, register events)
and writes the audit event, all in one transaction; side effects are queued with ``transaction.on_commit``.

Most steps reach one fixed state. A step may instead return to a state read from the instance's own record (a
``ReturnTarget``: e.g. resuming a deferred case goes back to the state it was deferred from); the table still lists
every state such a step can reach, so the diagrams and the checks stay declarative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.permissions import Decision

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class TransitionInput:
    """What the person supplied with the move."""

    comment: str = ""
    effective_date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Permission = Callable[[Actor, Any], Decision]
Guard = Callable[[Any, TransitionInput], str | None]
Effect = Callable[["AppliedTransition[Any]"], None]


@dataclass(frozen=True)
class ReturnTarget:
    """A target read from the instance's record rather than fixed in the table ("target from history").

    ``resolve`` reads, from the locked instance's own history, the state the step goes back to (None when the record
    holds none, and the step is refused); ``states`` lists every state it may return to, so the table, the diagrams
    and the check that the answer is one of them stay declarative; ``describe`` says in words where it goes.
    """

    states: frozenset[str]
    resolve: Callable[[Any], str | None]
    describe: str


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str | ReturnTarget
    permission: Permission
    guards: tuple[Guard, ...] = ()
    comment_required: bool = False
    effective_date_required: bool = False
    description: str = ""
    # What a page asks the person to confirm before a step that cannot simply be undone ("" for none).
    confirm: str = ""
    # A step that ends or stops something (withdraw, revoke, suspend …): pages draw its button differently.
    destructive: bool = False


@dataclass
class AppliedTransition(Generic[M]):
    instance: M
    transition: Transition
    source: str
    target: str
    data: TransitionInput
    actor: Actor
    at: dt.datetime
    on_commit: list[Callable[[], None]] = field(default_factory=list)


class Workflow(Generic[M]):
    """Subclass per stateful model; set ``model``, ``transitions`` and implement ``record``."""

    model: type[M]
    state_field: str = "state"
    transitions: tuple[Transition, ...] = ()

    def __init__(self) -> None:
        names = [t.name for t in self.transitions]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"{type(self).__name__} repeats transition names {sorted(duplicates)}")
        self._by_name = {t.name: t for t in self.transitions}
        self._extra_guards: dict[str, list[Guard]] = {}
        self._effects: dict[str, list[Effect]] = {}

    def add_guard(self, name: str, guard: Guard) -> None:
        """Let a higher app add a precondition to a step without the lower app importing it.

        E.g. the QAD app makes ``submit_initial_qad`` require a submitted Initial QAD snapshot. Call it from the
        higher app's ``AppConfig.ready()``; adding the same guard twice has no effect.
        """
        self.get(name)
        guards = self._extra_guards.setdefault(name, [])
        if guard not in guards:
            guards.append(guard)

    def add_effect(self, name: str, effect: Effect) -> None:
        """Let a higher app act on a step inside its transaction, after the step is recorded.

        E.g. the assessment app tells the owning Code Bodies that a QAD was submitted. An effect that must not run
        before commit (e-mail) queues itself with ``transaction.on_commit``. Adding the same effect twice has no
        effect.
        """
        self.get(name)
        effects = self._effects.setdefault(name, [])
        if effect not in effects:
            effects.append(effect)

    def set_permission(self, name: str, permission: Permission) -> None:
        """Let a higher app say who may take a step when that depends on its own records.

        E.g. the QAD app makes ``sign`` the step of the director (or delegate) who declared on the case's Final QAD,
        which the case app cannot know. The table's own permission stands until then; the replacement is what the
        lifecycle page, the diagrams and every check see. Call it from the higher app's ``AppConfig.ready()``.
        """
        replaced = replace(self.get(name), permission=permission)
        self._by_name[name] = replaced
        self.transitions = tuple(replaced if t.name == name else t for t in self.transitions)

    def effects_for(self, transition: Transition) -> tuple[Effect, ...]:
        return tuple(self._effects.get(transition.name, ()))

    def guards_for(self, transition: Transition) -> tuple[Guard, ...]:
        return (*transition.guards, *self._extra_guards.get(transition.name, ()))

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise TransitionNotAllowed(f"There is no step called {name!r}.", code="unknown_transition") from None

    def state_of(self, instance: M) -> str:
        return str(getattr(instance, self.state_field))

    def target_of(self, transition: Transition, instance: M) -> str | None:
        """The state the step would take this instance to: the table's, or the one its record returns it to."""
        if isinstance(transition.target, str):
            return transition.target
        found = transition.target.resolve(instance)
        return found if found in transition.target.states else None

    def leaving(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def available(self, actor: Actor, instance: M) -> list[Transition]:
        """Transitions the actor may take now (for showing controls; services re-check under lock)."""
        state = self.state_of(instance)
        return [t for t in self.leaving(state) if t.permission(actor, instance).allowed]

    def check(self, actor: Actor, instance: M, transition: Transition, data: TransitionInput) -> None:
        # Who may take the step is settled first: a refusal about the state would tell a person without permission
        # what state the record is in.
        transition.permission(actor, instance).enforce()
        state = self.state_of(instance)
        if state not in transition.sources:
            raise TransitionNotAllowed(
                f"“{transition.label}” is not possible while {self.subject(instance)} is {self.state_label(state)}.",
                details={"state": state, "transition": transition.name},
            )
        if transition.comment_required and not data.comment.strip():
            raise ValidationFailed("A reason is required for this step.", details={"comment": "required"})
        if transition.effective_date_required and data.effective_date is None:
            raise ValidationFailed(
                "An effective date is required for this step.", details={"effective_date": "required"}
            )
        for guard in self.guards_for(transition):
            reason = guard(instance, data)
            if reason:
                raise TransitionNotAllowed(reason, details={"transition": transition.name})
        if self.target_of(transition, instance) is None:
            where = transition.target.describe if isinstance(transition.target, ReturnTarget) else "its target"
            raise TransitionNotAllowed(
                f"“{transition.label}” is not possible: the record does not say where to go ({where}).",
                code="no_return_target",
                details={"transition": transition.name},
            )

    def state_label(self, state: str) -> str:
        return state

    def subject(self, instance: M) -> str:
        """How a refusal names the record: "the <model's verbose name>" unless a workflow says better."""
        return f"the {self.model._meta.verbose_name}"

    def record(self, applied: AppliedTransition[M]) -> dict[str, Any]:
        """Write the domain's own record of the move; return extra fields for the audit event."""
        raise NotImplementedError

    def organisation_id(self, instance: M) -> int | None:
        return None


def apply_transition(
    workflow: Workflow[M], *, actor: Actor, instance: M, name: str, data: TransitionInput | None = None
) -> M:
    from qualify.audit.services import audit_record  # audit is called by everyone and calls no domain app

    data = data or TransitionInput()
    transition = workflow.get(name)
    with transaction.atomic():
        locked = workflow.model._default_manager.select_for_update().get(pk=instance.pk)
        workflow.check(actor, locked, transition, data)
        source = workflow.state_of(locked)
        target = workflow.target_of(transition, locked)
        if target is None:  # pragma: no cover - check() refused it
            raise TransitionNotAllowed(f"“{transition.label}” has nowhere to go.", code="no_return_target")
        now = clock.now()
        setattr(locked, workflow.state_field, target)
        update_fields = [workflow.state_field]
        if hasattr(locked, "state_changed_at"):
            locked.state_changed_at = now
            update_fields.append("state_changed_at")
        if hasattr(locked, "updated_at"):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        applied = AppliedTransition(
            instance=locked, transition=transition, source=source, target=target, data=data, actor=actor, at=now
        )
        extra = workflow.record(applied)
        for effect in workflow.effects_for(transition):
            effect(applied)
        audit_record(
            actor=actor,
            action=f"{workflow.model._meta.label_lower}.{transition.name}",
            target=locked,
            organisation_id=workflow.organisation_id(locked),
            changes={
                workflow.state_field: {"before": source, "after": target},
                **({"comment": data.comment} if data.comment else {}),
                **({"effective_date": data.effective_date.isoformat()} if data.effective_date is not None else {}),
                **extra,
            },
        )
        for callback in applied.on_commit:
            transaction.on_commit(callback)
    return locked


def targets(transition: Transition) -> list[str]:
    """Every state a step can reach: its one target, or each state it may return to."""
    if isinstance(transition.target, str):
        return [transition.target]
    return sorted(transition.target.states)


def transition_table(workflow: Workflow[Any]) -> Iterable[tuple[str, str, Transition]]:
    for t in workflow.transitions:
        for source in sorted(t.sources):
            for target in targets(t):
                yield source, target, t


REGISTRY: dict[str, Workflow[Any]] = {}


W = TypeVar("W", bound=Workflow[Any])


def register(name: str, workflow: W) -> W:
    """Name a workflow so ``manage.py render_workflows`` and the lifecycle pages can find it."""
    REGISTRY[name] = workflow
    return workflow


def who_may(transition: Transition) -> str:
    """A permission function's docstring's first line, e.g. 'The participant's qualification lead'."""
    doc = (transition.permission.__doc__ or transition.permission.__name__).strip().splitlines()[0]
    return doc.rstrip(".")


def render_mermaid(workflow: Workflow[Any], initial: str) -> str:
    """The transition table as a Mermaid state diagram (generated: edit the table, not the diagram)."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for source, target, t in transition_table(workflow):
        returning = f" ({t.target.describe})" if isinstance(t.target, ReturnTarget) else ""
        lines.append(f"    {source} --> {target}: {t.label}{returning}")
    return "\n".join(lines) + "\n"
