"""The help pages' words: the process in short, each role's part in it, what each state of a case means, and who
to ask. The states and the steps between them come from the transition table (``CASE_WORKFLOW``), so the help
pages cannot list a state or a step the platform does not have."""

from __future__ import annotations

from dataclasses import dataclass

from qualify.cases.choices import CaseState
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.workflow import Transition, who_may

S = CaseState

# What a case in each state is waiting for, for everyone (the participant's own next step is in guidance.py).
STATE_MEANINGS: dict[str, str] = {
    S.DRAFT: "The case is open. The participant prepares its pre-qualification; an SIT-route case can be scoped "
    "straight away.",
    S.PREQUAL_SUBMITTED: "The participant has said which wave it prefers, how it will run PIT and whether it relies "
    "on someone else's testing. The Code Bodies decide reliance and exemptions.",
    S.SCOPED: "Reliance and exemptions are decided, so the required tests and QAD questions are known and frozen. "
    "A re-qualification case opens here, scoped to what the Code Bodies named after a disclosed change.",
    S.PIT: "The participant tests on its own systems and prepares its Initial QAD with the PIT exit evidence.",
    S.INITIAL_QAD_SUBMITTED: "The Initial QAD is frozen and the Code Bodies are reviewing the sections they own.",
    S.INITIAL_CLARIFICATION: "A Code Body asked questions about the Initial QAD; the participant answers them.",
    S.TESTING: "Qualification Testing (or, on the SIT route, the SIT exit evidence): prerequisites, test runs, "
    "defects, assurance and the Test Completion Report.",
    S.TESTING_COMPLETE: "The exit from testing is confirmed. The participant prepares its Final QAD.",
    S.FINAL_QAD_SUBMITTED: "The Final QAD is frozen and the Code Bodies are reviewing it and the work-off plans.",
    S.FINAL_CLARIFICATION: "A Code Body, or an approving body that referred the case back, asked questions about the "
    "Final QAD; the participant answers them.",
    S.AGREED: "Every reviewing body has finished its review. A company director now declares on the Final QAD.",
    S.SIGNED: "A director has declared, in person. The Programme sends the case to the approving bodies.",
    S.AWAITING_APPROVAL: "Each body the role needs decides on its own: the BSC PAB at its meetings, the DIP Manager "
    "and the REC Code Manager as dated decisions.",
    S.QUALIFIED: "Every needed body approved, from an effective date. Service activation comes next.",
    S.SERVICE_ACTIVATION: "Promotion to the production DIP and an agreed date; the participant then appears in the "
    "industry's reference data.",
    S.ACTIVE: "Qualified and operating in the market.",
    S.SUSPENDED: "The board suspended the qualification; it may reinstate or revoke it.",
    S.REVOKED: "The qualification was removed. The case is closed for good.",
    S.WITHDRAWN: "The participant withdrew the case. It is closed for good.",
    S.DEFERRED: "Moved to a later wave. The case keeps its work and resumes where it stopped.",
    S.NON_COMPLETION: "The participant missed its plan and the Annex 4 process is open. Resolving it resumes the case "
    "where it stopped.",
}

PROCESS = (
    "Each company qualifies each market role it holds under each of its MPIDs, one case at a time. A case moves "
    "from pre-qualification and scoping, through Pre-Integration Testing and an Initial QAD, into testing, then a "
    "Final QAD that the Code Bodies review and a director signs, and finally the approving bodies' decisions. Once "
    "qualified, service activation puts the participant live in the market."
)


@dataclass(frozen=True)
class RoleGuide:
    slug: str
    title: str
    who: str
    tasks: tuple[str, ...]
    ask: tuple[str, ...]
    # Words that name this role in a step's "who may" line (the permission's docstring, written to be shown to
    # people): the steps whose line holds one are marked "you" on the page.
    takes: tuple[str, ...] = ()


ROLE_GUIDES: dict[str, RoleGuide] = {
    g.slug: g
    for g in (
        RoleGuide(
            "lead",
            "Participant qualification lead",
            "You run your organisation's qualification: you are the one who submits and answers for it.",
            (
                "Submit the pre-qualification, start PIT, and submit the Initial and Final QAD.",
                "Answer the Code Bodies' queries, and agree work-off plans for open defects and findings.",
                "Invite a company director to declare on the agreed Final QAD. Submitting a new Final QAD after it "
                "was agreed or approved voids the approvals given on the earlier one and returns it to review.",
                "Once qualified, disclose any change to your systems, provider, processes, ownership or volumes "
                "from the case page: the Code Bodies decide whether to re-qualify it, and of what, while you stay "
                "qualified (the register shows the change as under assessment).",
                "Give contributors and viewers access, and withdraw a case if you no longer need it.",
                "Watch the next step and its due date on your home page and in your inbox.",
            ),
            (
                "About a query or finding: the Code Body that raised it, through the query itself.",
                "About waves, deadlines and the plan: the Programme's administrators.",
                "About access for your colleagues: that is you; the Programme can add the first lead.",
            ),
            ("participant's qualification lead",),
        ),
        RoleGuide(
            "contributor",
            "Participant contributor",
            "You help your lead prepare the QAD and the test evidence.",
            (
                "Answer QAD questions and attach evidence; your answers save as you type.",
                "Submit the Initial QAD when it is ready (the Final QAD is the lead's).",
                "Record test runs and evidence, and help answer queries.",
            ),
            (
                "About what to answer or when: your organisation's qualification lead.",
                "About a query: the Code Body that raised it, through the query.",
            ),
            ("or a contributor",),
        ),
        RoleGuide(
            "viewer",
            "Participant viewer",
            "You can see your organisation's cases, QADs and test progress, but not change them.",
            (
                "Follow each case's state, next step and deadlines.",
                "Read the QAD, the queries and the testing progress.",
            ),
            ("For more access, or about anything in a case: your organisation's qualification lead.",),
        ),
        RoleGuide(
            "assessor",
            "Code Body assessor (BSC, REC or DIP Manager)",
            "You review the QAD sections and the evidence your body owns, and recommend.",
            (
                "Work from the review queue: each submission waiting for your body, with its review clock.",
                "Record an outcome per question, raise queries with a due date, and record findings.",
                "Assure test runs, confirm scope and reliance, and confirm the exit from testing.",
                "Mark your body's review complete and make its recommendation.",
                "Assess the changes qualified participants disclose (the Changes queue): whether re-qualification "
                "is needed, and of which of your QAD sections and test cases.",
            ),
            (
                "About the plan, waves or a participant's access: the Programme's administrators.",
                "About a decision: your body's decision-makers.",
            ),
            ("code body assessor",),
        ),
        RoleGuide(
            "decision-maker",
            "Board member or decision-maker",
            "You record your own body's decision: the BSC PAB at its meetings, the DIP Manager and the REC Code "
            "Manager as dated decisions. Nobody records another body's decision.",
            (
                "Read the decision pack and the assessors' recommendations for each case on the agenda.",
                "Approve (with an effective date), approve with conditions, defer or reject with reasons.",
                "Suspend, reinstate or revoke a qualification where the code calls for it.",
            ),
            (
                "About a case's evidence: the assessors of your body.",
                "About the agenda or meeting dates: the Programme's administrators.",
            ),
            ("decision-maker of a body",),
        ),
        RoleGuide(
            "programme-admin",
            "Programme administrator",
            "You run the Programme's side: the plan, waves, onboarding, and the steps between the bodies.",
            (
                "Onboard organisations and their people, and keep the plan's milestones and waves.",
                "Scope cases, send agreed cases for approval, defer cases or record non-completion.",
                "Start and record service activation.",
                "Watch the dashboard and the reports; the admin site shows every record, read-only.",
            ),
            ("About a body's review or decision: that body's assessors or decision-makers.",),
            ("programme administrator",),
        ),
    )
}


@dataclass(frozen=True)
class StateHelp:
    state: str
    label: str
    meaning: str
    steps: tuple[tuple[Transition, str, bool], ...]  # (step, who may take it, taken by this role)


def state_guide(guide: RoleGuide) -> list[StateHelp]:
    """Every state of a case with its meaning and the steps that leave it, marking the ones ``guide``'s role takes."""
    rows = []
    for state in CaseState:
        steps = []
        for t in CASE_WORKFLOW.leaving(state.value):
            who = who_may(t)
            steps.append((t, who, any(words in who.lower() for words in guide.takes)))
        rows.append(StateHelp(state.value, str(state.label), STATE_MEANINGS[state], tuple(steps)))
    return rows
