"""The enumerations Qualification Testing's rules use (DOMAIN.md §3, §10a).

Batches and optional functions are not here: each catalogue version lists its own (docs/qt-catalogue-format.md), as
the Programme renames and adds them between versions.
"""

from __future__ import annotations

from django.db import models

from qualify.participants.choices import ExemptionKind
from qualify.plan.choices import Segment


class MinimumSet(models.TextChoices):
    """The two minimum sets the published catalogue defines; they run before any other test case (DOMAIN.md §10a).

    Our reading, stated in docs/qt-catalogue-format.md: a case in the "no reliance" set is run whatever reliance was
    accepted; a case in the "partial reliance" set is run unless reliance covering it was accepted in full.
    """

    NO_RELIANCE = "NO_RELIANCE", "No reliance minimum set"
    PARTIAL_RELIANCE = "PARTIAL_RELIANCE", "Partial reliance minimum set"


class RelianceOutcome(models.TextChoices):
    """What the Code Bodies decided on a Placing Reliance proposal (DOMAIN.md §3)."""

    ACCEPTED = "ACCEPTED", "Accepted"
    PARTLY_ACCEPTED = "PARTLY_ACCEPTED", "Partly accepted"
    REFUSED = "REFUSED", "Refused"


class ScopeReason(models.TextChoices):
    """Why a catalogue case is in or out of a participant's required set: one reason per case, the first that
    applies in the order below (scope.required_set)."""

    ROLE = "ROLE", "Role"
    ROUTE = "ROUTE", "Route"
    EXEMPTION = "EXEMPTION", "Exemption"
    OPTIONAL_FUNCTION = "OPTIONAL_FUNCTION", "Optional function not sought"
    RELIANCE = "RELIANCE", "Reliance"
    MINIMUM_SET = "MINIMUM_SET", "Minimum set"
    IN_SCOPE = "IN_SCOPE", "In scope for the role and route"
    # A re-qualification case's scope (changes app): only what the Code Bodies named after a disclosed change.
    REQUALIFICATION = "REQUALIFICATION", "Named for re-qualification"
    CARRIED_OVER = "CARRIED_OVER", "Carried over from the qualified case"


# Which segments an exemption takes out of scope: a case whose every segment is listed is removed (DOMAIN.md §3: the
# advanced-only Supplier's smart-segment exemption, BSC P476, removes smart-segment tests). Data, not a rule in code.
EXEMPTED_SEGMENTS: dict[str, frozenset[str]] = {
    ExemptionKind.SMART_SEGMENT: frozenset({Segment.SMART}),
}

# Routes on which the catalogue's cases are run. A SIT-route participant's SIT exit evidence stands in for QT.
QT_ROUTES = ("QT", "NEW_ENTRANT")


class PrequalState(models.TextChoices):
    """A pre-qualification form: filled in by the participant's lead, then submitted with the case step."""

    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Submitted"


class ReliedOnKind(models.TextChoices):
    """Who a Placing Reliance proposal relies on (DOMAIN.md §3)."""

    SOFTWARE_PROVIDER = "SOFTWARE_PROVIDER", "Software provider"
    GROUP_COMPANY = "GROUP_COMPANY", "Group company"
    OTHER = "OTHER", "Other third party"


class ProposalState(models.TextChoices):
    """A Placing Reliance proposal's way: drafted, put to the Code Bodies, decided by every body it goes to."""

    DRAFT = "DRAFT", "Draft"
    PROPOSED = "PROPOSED", "With the Code Bodies"
    DECIDED = "DECIDED", "Decided"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class ExecutionStatus(models.TextChoices):
    """The result of one run of a test case (DOMAIN.md §10a)."""

    NOT_RUN = "NOT_RUN", "Not run"
    PASSED = "PASSED", "Passed"
    FAILED = "FAILED", "Failed"
    BLOCKED = "BLOCKED", "Blocked"
    NOT_APPLICABLE = "NOT_APPLICABLE", "Not applicable"


class ExecutionSource(models.TextChoices):
    """How a result reached the platform."""

    MANUAL = "MANUAL", "Recorded on the page"
    JUNIT = "JUNIT", "JUnit XML import"
    AZURE_DEVOPS = "AZURE_DEVOPS", "Azure DevOps CSV import"
    API = "API", "Pushed through the API"


class Assurance(models.TextChoices):
    """The Code Body's (or, for LDSOs, the Programme test manager's) view of a run: pending, accepted, sent back."""

    PENDING = "PENDING", "Awaiting assurance"
    ACCEPTED = "ACCEPTED", "Accepted"
    SENT_BACK = "SENT_BACK", "Sent back"


class DefectState(models.TextChoices):
    """A defect found in testing. An open one at QT exit needs an agreed work-off plan (an assessment finding)."""

    OPEN = "OPEN", "Open"
    FIXED = "FIXED", "Fixed, awaiting retest"
    CLOSED = "CLOSED", "Closed"


class ImportKind(models.TextChoices):
    JUNIT = "JUNIT", "JUnit XML"
    AZURE_DEVOPS = "AZURE_DEVOPS", "Azure DevOps test run (CSV)"


class ImportState(models.TextChoices):
    PREVIEWED = "PREVIEWED", "Previewed"
    APPLIED = "APPLIED", "Applied"
    DISCARDED = "DISCARDED", "Discarded"


class Prerequisite(models.TextChoices):
    """What must be on record before a case enters, or leaves, testing (DOMAIN.md §10a)."""

    PIT_EXIT = "PIT_EXIT", "PIT exit evidence"
    DIP_ONBOARDING = "DIP_ONBOARDING", "DIP onboarding in the test environment"
    FRAMEWORK_ONBOARDING = "FRAMEWORK_ONBOARDING", "Test framework and test-management tool onboarding"
    TEST_DATA = "TEST_DATA", "Test data loaded (test MPANs and market data)"
    SMOKE_TEST = "SMOKE_TEST", "Smoke test (LDSOs)"
    SIT_EXIT = "SIT_EXIT", "SIT exit evidence"


class PrerequisiteState(models.TextChoices):
    RECORDED = "RECORDED", "Recorded, awaiting acceptance"
    ACCEPTED = "ACCEPTED", "Accepted"
    SENT_BACK = "SENT_BACK", "Sent back"


class Gate(models.TextChoices):
    """The four gates at which the RTTM is frozen (DOMAIN.md §4)."""

    PIT_ENTRY = "PIT_ENTRY", "PIT entry"
    PIT_EXIT = "PIT_EXIT", "PIT exit"
    QT_ENTRY = "QT_ENTRY", "QT entry"
    QT_EXIT = "QT_EXIT", "QT exit"


class ReportState(models.TextChoices):
    GENERATED = "GENERATED", "Generated"
    SUBMITTED = "SUBMITTED", "Submitted"


# Batches whose runs the DIP Manager assures, whatever the participant's role (DOMAIN.md §10a: "the DIP Manager
# assures non-functional testing"; the DIP batch tests the messages it carries).
DIP_MANAGER_BATCHES = frozenset({"DIP", "NON_FUNCTIONAL"})
