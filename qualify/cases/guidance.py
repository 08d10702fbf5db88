"""What a participant should do next in each state, and which wave deadline that step is measured against."""

from __future__ import annotations

from dataclasses import dataclass

from qualify.cases.choices import CaseState
from qualify.plan.choices import DeadlineKind


@dataclass(frozen=True)
class NextStep:
    text: str
    deadline_kind: str | None
    participant_owes: bool


S = CaseState
NEXT_STEPS: dict[str, NextStep] = {
    S.DRAFT: NextStep(
        "Submit your pre-qualification: preferred wave, PIT approach, target migration date.",
        DeadlineKind.PRE_QUALIFICATION,
        True,
    ),
    S.PREQUAL_SUBMITTED: NextStep(
        "The Code Bodies are scoping your case (reliance and exemptions).", DeadlineKind.PIT_START, False
    ),
    S.SCOPED: NextStep("Start Pre-Integration Testing on your own systems.", DeadlineKind.PIT_START, True),
    S.PIT: NextStep("Complete PIT and submit your Initial QAD with PIT exit evidence.", DeadlineKind.INITIAL_QAD, True),
    S.INITIAL_QAD_SUBMITTED: NextStep("The Code Bodies are assessing your Initial QAD.", DeadlineKind.QT_START, False),
    S.INITIAL_CLARIFICATION: NextStep(
        "Answer the Code Bodies' clarification questions on your Initial QAD.", DeadlineKind.QT_START, True
    ),
    S.TESTING: NextStep(
        "Run your required test cases, then submit the Test Completion Report (or, on the SIT route, your SIT exit "
        "evidence) so the exit from testing can be confirmed.",
        DeadlineKind.FINAL_QAD,
        True,
    ),
    S.TESTING_COMPLETE: NextStep(
        "Testing is complete: submit your Final QAD with the Test Completion Report.", DeadlineKind.FINAL_QAD, True
    ),
    S.FINAL_QAD_SUBMITTED: NextStep("The Code Bodies are assessing your Final QAD.", DeadlineKind.TARGET_BOARD, False),
    S.FINAL_CLARIFICATION: NextStep(
        "Answer the clarification questions on your Final QAD.", DeadlineKind.TARGET_BOARD, True
    ),
    S.AGREED: NextStep(
        "Invite a company director, from the QAD page, to declare on the Final QAD in person.",
        DeadlineKind.TARGET_BOARD,
        True,
    ),
    S.SIGNED: NextStep("The Programme is sending your case to the approving bodies.", DeadlineKind.TARGET_BOARD, False),
    S.AWAITING_APPROVAL: NextStep("Awaiting the approving bodies' decisions.", DeadlineKind.TARGET_BOARD, False),
    S.QUALIFIED: NextStep(
        "Complete service activation: DIP production onboarding and an agreed effective date.", None, True
    ),
    S.SERVICE_ACTIVATION: NextStep("Service activation is in progress.", None, True),
    S.ACTIVE: NextStep("Nothing due: you are qualified and active.", None, False),
    S.SUSPENDED: NextStep("Your qualification is suspended; follow the remedy agreed with the board.", None, True),
    S.REVOKED: NextStep("Qualification has been revoked.", None, False),
    S.WITHDRAWN: NextStep("This case was withdrawn.", None, False),
    S.DEFERRED: NextStep(
        "Deferred to a later wave; the Programme will resume the case where it left off.", None, False
    ),
    S.NON_COMPLETION: NextStep("Respond to the non-completion notice with a remediation plan.", None, True),
}
