"""Library pages: the public library, artefact and version pages and downloads; consultations for participants;
the working comments log and the QWG report for staff; and the Programme's publishing forms. Thin adapters over
services and selectors: every refusal comes from a service, every read from a selector."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.actor import Actor
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.web import UrlTemplate, ask_first, paginate, report_error
from qualify.library.choices import (
    CONTENT_TYPES,
    CommentStatus,
    ConsultationStatus,
    FileKind,
    GovernanceDecision,
    GoverningBody,
    VersionStatus,
)
from qualify.library.exports import comments_log_workbook, respondent_labels
from qualify.library.forms import (
    AnswerForm,
    ApprovalForm,
    ArtefactForm,
    CommentForm,
    ConsultationForm,
    QwgReportForm,
    VersionForm,
)
from qualify.library.models import ArtefactVersion, VersionFile
from qualify.library.permissions import (
    can_answer_comments,
    can_comment_for,
    can_manage_library,
    can_open_consultation,
    can_record_approval,
    can_report_to_qwg,
    governing_body_of,
)
from qualify.library.selectors import (
    LIBRARY_LISTING,
    LibraryFilters,
    approval_status,
    artefact_get,
    artefact_list,
    artefact_timeline,
    comment_get,
    comment_list,
    comments_logs_of,
    consultation_get,
    consultation_list,
    consultation_log,
    library_baselines,
    library_facets,
    log_subject,
    no_comments_confirmations,
    responding_organisation,
    version_file_get,
    version_get,
    version_list,
)
from qualify.library.services import (
    approval_record,
    artefact_create,
    comment_answer,
    comment_create,
    comment_submit,
    comment_update,
    consultation_confirm_no_comments,
    consultation_open,
    consultation_report_to_qwg,
    version_approve,
    version_create,
)
from qualify.library.workflow import VERSION_WORKFLOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What each irreversible step says before it is taken (the page's tick box and the confirmation page alike).
APPROVE_CONFIRM = "The version is approved for governance and its consolidated comments log is published."
DECISION_CONFIRM = "Your body's decision on this version is recorded; once recorded it cannot be changed."
COMMENT_CONFIRM = "The comment goes to the Programme as your organisation's and can no longer be edited."
NO_COMMENTS_CONFIRM = "Your organisation is recorded as having reviewed the documents with no comments; this is final."
QWG_CONFIRM = "The consolidated comments log is published and the documents consulted on go before governance."


def _form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(
        request,
        "Please check: "
        + "; ".join(f"{field}: {' '.join(str(e) for e in errs)}" for field, errs in form.errors.items()),
    )


# --- the public library ---------------------------------------------------------------------------------------


LIBRARY_PER_PAGE = LIBRARY_LISTING.per_page


@dataclass(frozen=True)
class BaselineRow:
    version: ArtefactVersion
    artefact_url: str
    version_url: str
    downloads: list[tuple[VersionFile, str]]


def _baseline_groups(versions: Iterable[ArtefactVersion]) -> list[tuple[str, list[BaselineRow]]]:
    """One page's baselines grouped by theme, in list order. Each link is filled in from a pattern reversed once for
    the page: reversing four URLs a row took most of the page's time on a large library."""
    artefact_url = UrlTemplate("library:artefact", "document_number")
    version_url = UrlTemplate("library:version", "key")
    download_url = UrlTemplate("library:download", "key", "kind")
    groups: dict[str, list[BaselineRow]] = {}
    for version in versions:
        row = BaselineRow(
            version=version,
            artefact_url=artefact_url(version.artefact.document_number),
            version_url=version_url(version.uuid),
            downloads=[(f, download_url(version.uuid, f.kind.lower())) for f in version.files.all()],
        )
        groups.setdefault(version.artefact.theme, []).append(row)
    return list(groups.items())


@guards.public
def index(request: HttpRequest) -> HttpResponse:
    """The library: each artefact's current baseline grouped by theme, with search and filters (no sign-in), 50
    documents a page, each column sorting within its theme; the filters and the sort travel with the page and
    download links, and htmx swaps just the list for the pages."""
    actor = actor_of(request)
    filters = LibraryFilters.from_mapping(request.GET)
    sort = LIBRARY_LISTING.sort_from(request.GET)
    page = paginate(request, library_baselines(actor=actor, filters=filters, sort=sort), per_page=LIBRARY_PER_PAGE)
    context = {
        "groups": _baseline_groups(page.object_list),
        "page": page,
        "list": LIBRARY_LISTING.nav(
            request.GET, sort, list_url=reverse("library:index"), export_view="library:export", page=page
        ),
        "filters": filters,
        "facets": library_facets(actor=actor),
        "can_manage": can_manage_library(actor).allowed,
    }
    template = "library/_baselines.html" if getattr(request, "htmx", False) else "library/index.html"
    return render(request, template, context)


@guards.public
def library_export_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The library's list as CSV or Excel: every baseline of the filters, in the page's order, with each document's
    theme, title and the day it was baselined."""
    actor = actor_of(request)
    sort = LIBRARY_LISTING.sort_from(request.GET)
    qs = library_baselines(actor=actor, filters=LibraryFilters.from_mapping(request.GET))
    return LIBRARY_LISTING.export(qs, sort, fmt)


@guards.public
def artefact_detail(request: HttpRequest, document_number: str) -> HttpResponse:
    """An artefact with every version the visitor may see (older ones stay reachable) and its history."""
    actor = actor_of(request)
    artefact = artefact_get(actor=actor, document_number=document_number)
    context = {
        "artefact": artefact,
        "versions": list(version_list(actor=actor, artefact=artefact)),
        "timeline": artefact_timeline(actor=actor, artefact=artefact),
        "can_manage": can_manage_library(actor).allowed,
        "version_form": VersionForm(),
    }
    return render(request, "library/artefact_detail.html", context)


@guards.public
def version_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A version with its files, its governance in the published order, the consolidated comments log of each of its
    consultations, and, for a log itself, the consultation and the documents it concerns."""
    actor = actor_of(request)
    version = version_get(actor=actor, key=key)
    context = {
        "version": version,
        "artefact": version.artefact,
        "approvals": [
            (GoverningBody(body).label, GovernanceDecision(decision).label if decision else None)
            for body, decision in approval_status(version=version)
        ],
        "decisions": sorted(version.approvals.all(), key=lambda a: (a.decided_on, a.recorded_at)),
        "consultations": list(version.consultations.all()),
        "logs": comments_logs_of(actor=actor, version=version),
        "log_of": log_subject(actor=actor, version=version),
        "can_approve": can_manage_library(actor).allowed
        and version.status == VersionStatus.DRAFT
        and bool(version.artefact.required_bodies)
        and any(t.name == "approve" for t in VERSION_WORKFLOW.available(actor, version)),
        "can_record_decision": can_record_approval(actor).allowed and version.status == VersionStatus.APPROVED,
        "approval_form": _approval_form(actor),
        "approve_confirm": APPROVE_CONFIRM,
        "decision_confirm": DECISION_CONFIRM,
    }
    return render(request, "library/version_detail.html", context)


def _approval_form(actor: Actor) -> ApprovalForm:
    """The decision form offers only the body the person is a member of: each body records its own decisions."""
    own = governing_body_of(actor)
    form = ApprovalForm(initial={"decided_on": timezone.localdate(), "body": own})
    field = form.fields["body"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [(value, label) for value, label in GoverningBody.choices if value == own]
    return form


@guards.public
def download(request: HttpRequest, key: str, kind: str) -> FileResponse:
    """A version's clean or red-lined file: anyone for the published record, staff for drafts."""
    actor = actor_of(request)
    found = version_file_get(actor=actor, key=key, kind=kind)
    version = found.version
    label = "clean" if found.kind == FileKind.CLEAN else "redline"
    filename = f"{version.artefact.document_number}-v{version.version}-{label}.{found.file_type}"
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[found.file_type]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- publishing (the Programme) ---------------------------------------------------------------------------------


@guards.staff(StaffRole.PROGRAMME_ADMIN)
def manage(request: HttpRequest) -> HttpResponse:
    """The Programme's desk: every artefact with its versions (drafts too), a new-artefact form."""
    actor = actor_of(request)
    form = ArtefactForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                artefact = artefact_create(actor=actor, **form.cleaned_data)
            except DomainError as error:
                report_error(request, error)
            else:
                messages.success(request, f"{artefact} added to the library.")
                return redirect("library:artefact", document_number=artefact.document_number)
        else:
            _form_errors(request, form)
    return render(request, "library/manage.html", {"artefacts": artefact_list(actor=actor), "form": form})


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def version_add(request: HttpRequest, document_number: str) -> HttpResponse:
    actor = actor_of(request)
    artefact = artefact_get(actor=actor, document_number=document_number)
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("library:artefact", document_number=artefact.document_number)
    uploads: dict[str, tuple[IO[bytes], str]] = {
        str(kind): (upload, upload.name or "")
        for field, kind in (("clean_file", FileKind.CLEAN), ("redline_file", FileKind.REDLINE))
        if (upload := form.cleaned_data.get(field))
    }
    try:
        version = version_create(
            actor=actor,
            artefact=artefact,
            version=form.cleaned_data["version"],
            release_notes=form.cleaned_data["release_notes"],
            files=uploads,
        )
    except DomainError as error:
        report_error(request, error)
        return redirect("library:artefact", document_number=artefact.document_number)
    messages.success(request, f"Version {version.version} drafted.")
    return redirect("library:version", key=version.uuid)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def version_approve_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    version = version_get(actor=actor, key=key)
    back = reverse("library:version", args=[version.uuid])
    if (
        asking := ask_first(request, action="Approve for governance", consequence=APPROVE_CONFIRM, back_url=back)
    ) is not None:
        return asking
    try:
        version_approve(actor=actor, version=version, comment=request.POST.get("comment", ""))
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Version {version.version} approved; its comments log is published.")
    return redirect("library:version", key=version.uuid)


@require_POST
@guards.staff(StaffRole.QAG_MEMBER, StaffRole.REC_DECISION_MAKER, StaffRole.BSC_PAB_MEMBER)
def decision_record(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    version = version_get(actor=actor, key=key)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("library:version", key=version.uuid)
    back = reverse("library:version", args=[version.uuid])
    if (
        asking := ask_first(request, action="Record the decision", consequence=DECISION_CONFIRM, back_url=back)
    ) is not None:
        return asking
    try:
        approval_record(actor=actor, version=version, **form.cleaned_data)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, "Decision recorded.")
    return redirect("library:version", key=version.uuid)


@guards.staff(StaffRole.PROGRAMME_ADMIN)
def consultation_create(request: HttpRequest) -> HttpResponse:
    """Open a consultation; dates and times are UK local time (closing 17:00 unless another time is given)."""
    actor = actor_of(request)
    candidates = [v for a in artefact_list(actor=actor) for v in getattr(a, "visible_versions", [])]
    form = ConsultationForm(request.POST or None, versions=candidates)
    if request.method == "POST":
        if form.is_valid():
            opens_at, closes_at = form.window()
            chosen = [v for v in candidates if str(v.uuid) in form.cleaned_data["versions"]]
            try:
                consultation = consultation_open(
                    actor=actor,
                    title=form.cleaned_data["title"],
                    versions=chosen,
                    opens_at=opens_at,
                    closes_at=closes_at,
                )
            except DomainError as error:
                report_error(request, error)
            else:
                messages.success(request, f"{consultation.reference} is open; participants have been told.")
                return redirect("library:consultation", key=consultation.uuid)
        else:
            _form_errors(request, form)
    return render(request, "library/consultation_form.html", {"form": form, "allowed": can_open_consultation(actor)})


# --- consultations (participants) --------------------------------------------------------------------------------


@guards.signed_in
def consultations(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    now = timezone.now()
    rows = [(c, c.status_at(now)) for c in consultation_list(actor=actor)]
    return render(
        request,
        "library/consultations.html",
        {"rows": rows, "can_open": can_open_consultation(actor).allowed},
    )


@guards.signed_in
def consultation_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A consultation's papers; for a participant, its own comments (drafts and submitted) and the forms."""
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    versions = list(consultation.versions.all())
    status = consultation.status_at(timezone.now())
    own = list(comment_list(actor=actor, consultation=consultation)) if not actor.is_staff_member else []
    context = {
        "consultation": consultation,
        "versions": versions,
        "status": status,
        "is_open": status == ConsultationStatus.OPEN,
        "can_respond": responding_organisation(actor=actor) is not None and status == ConsultationStatus.OPEN,
        "comments": own,
        "confirmations": list(no_comments_confirmations(actor=actor, consultation=consultation)),
        "form": CommentForm(versions=versions),
        "is_staff": actor.is_staff_member,
        "report": getattr(consultation, "qwg_report", None),
        "comment_confirm": COMMENT_CONFIRM,
        "no_comments_confirm": NO_COMMENTS_CONFIRM,
    }
    return render(request, "library/consultation_detail.html", context)


@require_POST
@guards.signed_in
def comment_add(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    versions = list(consultation.versions.all())
    form = CommentForm(request.POST, versions=versions)
    organisation = responding_organisation(actor=actor)
    if organisation is None:
        messages.error(request, "Only a participant's qualification lead or a contributor can respond.")
        return redirect("library:consultation", key=consultation.uuid)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("library:consultation", key=consultation.uuid)
    data = form.cleaned_data
    version = next(v for v in versions if str(v.uuid) == data["version"])
    try:
        comment = comment_create(
            actor=actor,
            consultation=consultation,
            version=version,
            organisation=organisation,
            clause_reference=data["clause_reference"],
            text=data["text"],
            proposed_change=data["proposed_change"],
            category=data["category"],
            publish_with_name=data["publish_with_name"],
            submit=request.POST.get("action") == "submit",
        )
    except DomainError as error:
        report_error(request, error)
    else:
        done = "submitted" if comment.status == CommentStatus.SUBMITTED else "saved as a draft"
        messages.success(request, f"Your comment on {comment.clause_reference} is {done}.")
    return redirect("library:consultation", key=consultation.uuid)


@guards.signed_in
def comment_edit(request: HttpRequest, key: str) -> HttpResponse:
    """A comment of the actor's organisation; a draft can be changed until the close."""
    actor = actor_of(request)
    comment = comment_get(actor=actor, key=key)
    versions = list(comment.consultation.versions.all())
    initial = {
        "version": str(comment.version.uuid),
        "clause_reference": comment.clause_reference,
        "text": comment.text,
        "proposed_change": comment.proposed_change,
        "category": comment.category,
        "publish_with_name": comment.publish_with_name,
    }
    form = CommentForm(request.POST or None, initial=initial, versions=versions)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment = comment_update(
                    actor=actor,
                    comment=comment,
                    clause_reference=data["clause_reference"],
                    text=data["text"],
                    proposed_change=data["proposed_change"],
                    category=data["category"],
                    publish_with_name=data["publish_with_name"],
                )
            except DomainError as error:
                report_error(request, error)
            else:
                messages.success(request, "Draft saved.")
                return redirect("library:consultation", key=comment.consultation.uuid)
        else:
            _form_errors(request, form)
    editable = comment.status == CommentStatus.DRAFT and can_comment_for(actor, comment.organisation_id).allowed
    return render(request, "library/comment_edit.html", {"comment": comment, "form": form, "editable": editable})


@require_POST
@guards.signed_in
def comment_submit_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    comment = comment_get(actor=actor, key=key)
    back = reverse("library:consultation", args=[comment.consultation.uuid])
    if (
        asking := ask_first(request, action="Submit the comment", consequence=COMMENT_CONFIRM, back_url=back)
    ) is not None:
        return asking
    try:
        comment_submit(actor=actor, comment=comment)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Your comment on {comment.clause_reference} is submitted.")
    return redirect("library:consultation", key=comment.consultation.uuid)


@require_POST
@guards.signed_in
def no_comments(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    organisation = responding_organisation(actor=actor)
    if organisation is None:
        messages.error(request, "Only a participant's qualification lead or a contributor can respond.")
        return redirect("library:consultation", key=consultation.uuid)
    back = reverse("library:consultation", args=[consultation.uuid])
    if (
        asking := ask_first(request, action="Record no comments", consequence=NO_COMMENTS_CONFIRM, back_url=back)
    ) is not None:
        return asking
    try:
        consultation_confirm_no_comments(actor=actor, consultation=consultation, organisation=organisation)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, "Recorded: you reviewed the papers and have no comments.")
    return redirect("library:consultation", key=consultation.uuid)


# --- the consolidated comments log (staff) -------------------------------------------------------------------------


@guards.staff()
def log(request: HttpRequest, key: str) -> HttpResponse:
    """Every submitted comment with the respondent's name and the Programme's answer."""
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    comments = list(consultation_log(actor=actor, consultation=consultation))
    labels = respondent_labels(comments, anonymise=True)
    rows = [
        (
            c,
            labels[c.organisation_id],
            AnswerForm(
                initial={"response": c.response, "outcome": c.outcome or None, "resulting_change": c.resulting_change},
                auto_id=f"id_{c.uuid.hex[:12]}_%s",  # one form per comment: keep the labels' ids unique
            ),
        )
        for c in comments
    ]
    status = consultation.status_at(timezone.now())
    report = getattr(consultation, "qwg_report", None)
    context = {
        "consultation": consultation,
        "rows": rows,
        "answered": sum(1 for c in comments if c.outcome),
        "can_answer": can_answer_comments(actor).allowed,
        "confirmations": list(no_comments_confirmations(actor=actor, consultation=consultation)),
        "report": report,
        "can_report": can_report_to_qwg(actor).allowed and report is None and status == ConsultationStatus.CLOSED,
        "report_form": QwgReportForm(initial={"reported_on": timezone.localdate()}),
        "qwg_confirm": QWG_CONFIRM,
    }
    return render(request, "library/log.html", context)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def qwg_report(request: HttpRequest, key: str) -> HttpResponse:
    """Record that the consultation's outcome was reported to QWG; this publishes its consolidated comments log and
    puts the documents consulted on before governance."""
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    form = QwgReportForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("library:log", key=consultation.uuid)
    back = reverse("library:log", args=[consultation.uuid])
    if (
        asking := ask_first(request, action="Record the QWG report", consequence=QWG_CONFIRM, back_url=back)
    ) is not None:
        return asking
    try:
        consultation_report_to_qwg(actor=actor, consultation=consultation, **form.cleaned_data)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            f"Reported to QWG. The consolidated comments log {form.cleaned_data['log_document_number']} is published "
            "and the documents consulted on await governance.",
        )
    return redirect("library:log", key=consultation.uuid)


@guards.staff()
def log_export(request: HttpRequest, key: str) -> HttpResponse:
    """The working log as Excel, with respondents' names (staff only; the published log is anonymised)."""
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    comments = list(consultation_log(actor=actor, consultation=consultation))
    body = comments_log_workbook(comments, title=f"{consultation.reference} consolidated comments log", anonymise=False)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{consultation.reference}-comments-log.xlsx"'
    return response


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN, StaffRole.BSC_ASSESSOR, StaffRole.REC_ASSESSOR, StaffRole.DIP_ASSESSOR)
def answer(request: HttpRequest, key: str) -> HttpResponse:
    """The Programme or a Code Body answers a comment; the answer records who gave it and for which body."""
    actor = actor_of(request)
    comment = comment_get(actor=actor, key=key)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            comment_answer(actor=actor, comment=comment, **form.cleaned_data)
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"Answer recorded for comment on {comment.clause_reference}.")
    return redirect("library:log", key=comment.consultation.uuid)
