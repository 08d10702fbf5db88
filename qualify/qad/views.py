"""QAD pages: versions (load, validate, publish), a case's QAD (sections, autosaved answers, evidence, submissions,
the declaration invitation, version move, exports and import) and the invited director's own pages (the invitation
link, the snapshot to declare on, the confirmation). Thin adapters over qualify/qad/services.py, declarations.py and
selectors.py.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.accounts.reauth import second_factor_required
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import guards, storedfiles
from qualify.core.errors import DomainError, NotFound
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.uploads import SizeLimitHandler
from qualify.core.web import UrlTemplate, confirmation_page, confirmed, render_page_or_partial, report_error
from qualify.qad import declarations as decl
from qualify.qad import evidence as ev
from qualify.qad import exports, rules
from qualify.qad.choices import AnswerType, DeclarationCapacity, SubmissionKind
from qualify.qad.forms import (
    DeclareForm,
    EvidenceUploadForm,
    ImportForm,
    InvitationForm,
    NewAccountForm,
    VersionUploadForm,
)
from qualify.qad.loader import MAX_FILE_BYTES as QAD_MAX_FILE_BYTES
from qualify.qad.models import DeclarationInvitation, QadQuestion, QadResponse, QadSubmission, QadVersion
from qualify.qad.permissions import (
    can_download_evidence,
    can_edit_answers,
    can_invite_declarant,
    can_manage_versions,
    can_move_version,
    can_submit,
)
from qualify.qad.selectors import (
    QadView,
    case_for_qad,
    evidence_get,
    evidence_search,
    invitation_get,
    invitation_list,
    qad_view,
    question_get,
    submission_evidence,
    submission_get,
    submission_list,
    submission_questions,
    version_get,
    version_list,
    version_questions,
)
from qualify.qad.services import (
    SUBMISSION_STEPS,
    answer_save,
    answers_import,
    evidence_link,
    evidence_unlink,
    evidence_upload,
    qad_version_load,
    qad_version_publish,
    response_move_version,
    response_open,
    submission_create,
)

# What submitting does, asked before it is done (a dialog, or a page without JavaScript).
SUBMIT_CONFIRM = (
    "I understand the QAD is frozen as it stands, with its evidence, and sent to the Code Bodies; this submission "
    "cannot be changed afterwards."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def dom_id(qid: str) -> str:
    return qid.replace(".", "_")


def _open(request: HttpRequest, key: str) -> tuple[QualificationCase, QadResponse]:
    actor = actor_of(request)
    case: QualificationCase = case_for_qad(actor=actor, key=key)
    response: QadResponse = response_open(actor=actor, case=case)
    return case, response


# --- versions ------------------------------------------------------------------------------------------------------


@guards.signed_in
def version_list_view(request: HttpRequest) -> HttpResponse:
    """The QAD versions: published ones for everyone, drafts and the upload form for the Programme."""
    actor = actor_of(request)
    context = {
        "versions": list(version_list(actor=actor)),
        "can_manage": can_manage_versions(actor).allowed,
        "form": VersionUploadForm(),
        "problems": [],
    }
    return render(request, "qad/version_list.html", context)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def version_upload_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = VersionUploadForm(request.POST, request.FILES)
    problems: list[dict[str, Any]] = []
    if form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        data = upload.read(QAD_MAX_FILE_BYTES + 1)  # no more than the loader could accept, however large the file
        text: str | None = None
        if len(data) > QAD_MAX_FILE_BYTES:
            messages.error(request, f"The file is over {QAD_MAX_FILE_BYTES:,} bytes; a QAD file is far smaller.")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                messages.error(request, "The file is not UTF-8 text; save it as UTF-8 YAML or JSON.")
        if text is not None:
            try:
                version = qad_version_load(
                    actor=actor, text=text, source_name=upload.name or "", publish=form.cleaned_data["publish"]
                )
            except DomainError as error:
                report_error(request, error)
                problems = list(error.details.get("problems", [])) if isinstance(error.details, dict) else []
            else:
                state = "published" if version.is_published else "loaded as a draft"
                messages.success(request, f"QAD v{version.version} {state}.")
                return redirect("qad:version_detail", version=version.version)
    context = {
        "versions": list(version_list(actor=actor)),
        "can_manage": True,
        "form": form,
        "problems": problems,
    }
    return render(request, "qad/version_list.html", context, status=422 if problems else 200)


@guards.signed_in
def version_detail_view(request: HttpRequest, version: str) -> HttpResponse:
    actor = actor_of(request)
    found: QadVersion = version_get(actor=actor, version=version)
    questions = version_questions(found)
    sections: dict[str, dict[str, Any]] = {}
    for q in questions:
        sections.setdefault(q.section.number, {"section": q.section, "questions": []})["questions"].append(q)
    context = {
        "version": found,
        "sections": list(sections.values()),
        "question_count": len(questions),
        "can_manage": can_manage_versions(actor).allowed,
    }
    return render(request, "qad/version_detail.html", context)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def version_publish_view(request: HttpRequest, version: str) -> HttpResponse:
    actor = actor_of(request)
    found: QadVersion = version_get(actor=actor, version=version)
    try:
        qad_version_publish(actor=actor, version=found)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"QAD v{found.version} is published; it can no longer change.")
    return redirect("qad:version_detail", version=found.version)


@guards.signed_in
def version_xlsx_view(request: HttpRequest, version: str) -> HttpResponse:
    found: QadVersion = version_get(actor=actor_of(request), version=version)
    data = exports.version_workbook(title=f"QAD v{found.version} questions", questions=version_questions(found))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="qad-v{found.version}-questions.xlsx"'
    return response


# --- a case's QAD --------------------------------------------------------------------------------------------------


@guards.signed_in
def case_qad_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's QAD: progress per section, what is missing, submissions, evidence, version and documents."""
    actor = actor_of(request)
    case, response = _open(request, key)
    view = qad_view(actor=actor, response=response)
    newer = [
        v
        for v in version_list(actor=actor).filter(published_at__isnull=False)
        if response.version.published_at and v.published_at and v.published_at > response.version.published_at
    ]
    context_submissions = list(submission_list(actor=actor, response=response))
    context = {
        "case": case,
        "response": response,
        "view": view,
        "missing": view.missing(),
        "submissions": context_submissions,
        "can_edit": can_edit_answers(actor, case).allowed,
        "submit_confirm": SUBMIT_CONFIRM,
        # Offer only the submission the case's state allows (PIT or its clarification: Initial; testing: Final).
        "can_submit_initial": can_submit(actor, case, SubmissionKind.INITIAL).allowed
        and case.state in SUBMISSION_STEPS[SubmissionKind.INITIAL],
        "can_submit_final": can_submit(actor, case, SubmissionKind.FINAL).allowed
        and case.state in SUBMISSION_STEPS[SubmissionKind.FINAL],
        "can_move": can_move_version(actor, case).allowed,
        "newer_versions": newer,
        "question_choices": [(q.qid, f"{q.number} {q.text[:60]}") for q in view.questions],
        "today": timezone.localdate(),
        "import_form": ImportForm(),
        "max_mb": ev.max_bytes() // (1024 * 1024),
        **_declaration_context(actor, case, submissions=context_submissions),
    }
    return render(request, "qad/case_qad.html", context)


def _declaration_context(actor: Any, case: QualificationCase, *, submissions: list[QadSubmission]) -> dict[str, Any]:
    """The declaration card of a case's QAD page: the invitations with their standing, and the lead's controls."""
    finals = [s for s in submissions if s.kind == SubmissionKind.FINAL]
    latest_id = max((s.pk for s in finals), default=None)
    invitations = [
        (i, decl.invitation_status(i, latest_final_id=latest_id)) for i in invitation_list(actor=actor, case=case)
    ]
    is_lead = can_invite_declarant(actor, case).allowed
    live = [i for i, status in invitations if status in decl.LIVE]
    form = InvitationForm()
    if not rules.delegate_allowed([case.participation.role]):
        capacity = form.fields["capacity"]
        assert isinstance(capacity, forms.ChoiceField)
        capacity.choices = [(DeclarationCapacity.DIRECTOR, DeclarationCapacity.DIRECTOR.label)]
    return {
        "invitations": [
            {
                "invitation": i,
                "status": status,
                "status_words": decl.STATUS_WORDS[status],
                "can_cancel": is_lead and status in (*decl.LIVE, decl.InvitationStatus.EXPIRED),
                "can_resend": is_lead
                and case.state == CaseState.AGREED
                and status in (*decl.LIVE, decl.InvitationStatus.EXPIRED),
            }
            for i, status in invitations
        ],
        "latest_final_id": latest_id,
        "can_invite": is_lead and case.state == CaseState.AGREED and not live and latest_id is not None,
        "declaration_waits_for_agreement": is_lead and case.state != CaseState.AGREED,
        "invitation_form": form,
    }


def _question_rows(view: QadView, questions: list[QadQuestion], case: QualificationCase) -> list[dict[str, Any]]:
    # Each question's links are filled from patterns reversed once per page, not resolved again per question.
    answer_url, download_url = UrlTemplate("qad:answer", "key", "qid"), UrlTemplate("qad:evidence_download", "uuid")
    role = case.participation.role
    rows = []
    for q in questions:
        answer = view.answers.get(q.qid)
        value = answer.value if answer is not None else None
        table_rows: list[dict[str, str]] = []
        if q.answer_type == AnswerType.TABLE:
            table_rows = [
                *(value or []),
                *({c["id"]: "" for c in q.columns} for _ in range(2)),
            ]
        rows.append(
            {
                "q": q,
                "dom": dom_id(q.qid),
                "value": value,
                "selected": value if isinstance(value, list) else [value] if value else [],
                "table_rows": [[(c, r.get(c["id"], "")) for c in q.columns] for r in table_rows],
                "version": answer.version if answer is not None else 0,
                "answer_url": answer_url(case.reference, q.qid),
                "links": [
                    {"evidence": link.evidence, "download_url": download_url(link.evidence.uuid)}
                    for link in view.links.get(q.qid, [])
                ],
                "saved_at": answer.updated_at if answer is not None else None,
                # Asked of this role for information only: its owner does not approve the role (docs/qad-format.md).
                "advisory": not rules.assessed_for(q.owner, role),
            }
        )
    return rows


@guards.signed_in
def section_view(request: HttpRequest, key: str, number: str) -> HttpResponse:
    """One section's applicable questions with autosaving answers and their evidence."""
    actor = actor_of(request)
    case, response = _open(request, key)
    # Files are found through the one evidence picker (evidence_picker_view), not listed under every question, so
    # the page grows with questions plus attached files, not with questions times uploaded files.
    view = qad_view(actor=actor, response=response, with_evidence=False)
    section = view.section(number=number)
    section_url = UrlTemplate("qad:section", "key", "number")
    context = {
        "case": case,
        "response": response,
        "view": view,
        "current": section,
        "rows": _question_rows(view, section.questions, case),
        "nav": [
            {
                "section": s.section,
                "answered": s.answered,
                "total": s.total,
                "url": section_url(case.reference, s.section.number),
            }
            for s in view.sections
        ],
        "can_edit": can_edit_answers(actor, case).allowed,
        "picker_url": reverse("qad:evidence_picker", args=[case.reference]),
        "link_url": reverse("qad:evidence_link", args=[case.reference]),
        "upload_url": reverse("qad:evidence_upload", args=[case.reference]),
        "today": timezone.localdate(),
    }
    return render(request, "qad/section.html", context)


def parse_answer(question: QadQuestion, data: Any) -> Any:
    """The answer a question's form posted, in the shape ``rules.clean_answer`` expects."""
    if question.answer_type == AnswerType.MULTIPLE_CHOICE:
        return data.getlist("value")
    if question.answer_type == AnswerType.TABLE:
        rows: dict[int, dict[str, str]] = {}
        for name, value in data.items():
            parts = name.split("-", 2)
            if len(parts) == 3 and parts[0] == "cell" and parts[1].isdigit():
                rows.setdefault(int(parts[1]), {})[parts[2]] = value
        return [rows[i] for i in sorted(rows)]
    return data.get("value", "")


@require_POST
@guards.signed_in
def answer_view(request: HttpRequest, key: str, qid: str) -> HttpResponse:
    """Autosave of one answer (htmx). Answers the status line and the new version counter."""
    actor = actor_of(request)
    case, response = _open(request, key)
    question: QadQuestion = question_get(response=response, qid=qid)
    expected = request.POST.get("expected_version", "")
    context: dict[str, Any] = {"dom": dom_id(qid), "ok": False}
    status = 200
    try:
        answer = answer_save(
            actor=actor,
            response=response,
            question_id=qid,
            value=parse_answer(question, request.POST),
            expected_version=int(expected) if expected.isdigit() else None,
        )
    except DomainError as error:
        context["message"] = error.message
        context["conflict"] = error.code == "stale_answer"
        # htmx leaves 4xx answers unswapped by default; the page shows them, so refusals other than a permission
        # problem come back as 200 with the message.
        status = error.status if error.status in (403, 404) else 200
    else:
        context.update(ok=True, version=answer.version, saved_at=timezone.localtime())
    if not getattr(request, "htmx", False):
        if context["ok"]:
            messages.success(request, f"{question.number} saved.")
        else:
            messages.error(request, context["message"])
        return redirect("qad:section", key=case.reference, number=question.section.number)
    return render(request, "qad/_answer_status.html", context, status=status)


@guards.signed_in
@csrf_exempt
def evidence_upload_view(request: HttpRequest, key: str) -> HttpResponseBase:
    """Upload one evidence file (multipart, streamed to disk, size-limited while it arrives)."""
    # The size limit and disk spooling must be in place before anything reads the body, which the CSRF check does;
    # so CSRF is checked here, after the handlers are installed.
    limit = ev.install_upload_handlers(request)
    return _evidence_upload_protected(request, key, limit)


@csrf_protect
def _evidence_upload_protected(request: HttpRequest, key: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    case, response = _open(request, key)
    back = request.POST.get("next") or ""
    target = back if back.startswith("/qad/") else reverse("qad:case", args=[case.reference])
    decision = can_edit_answers(actor, case)
    if not decision.allowed:
        messages.error(request, decision.reason)
        return redirect(target)
    if limit is not None and limit.exceeded:
        report_error(request, ev.too_big_error())
        return redirect(target)
    view = qad_view(actor=actor, response=response)
    form = EvidenceUploadForm(request.POST, request.FILES, question_choices=[(q.qid, q.number) for q in view.questions])
    if not form.is_valid():
        messages.error(
            request,
            "Upload refused: " + "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
        return redirect(target)
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    try:
        evidence = evidence_upload(
            actor=actor,
            response=response,
            upload=upload.file,  # type: ignore[arg-type]
            name=upload.name or "",
            size=upload.size or 0,
            evidence_as_of=form.cleaned_data["evidence_as_of"],
            question_ids=form.cleaned_data["questions"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{evidence.original_name} uploaded (SHA-256 {evidence.sha256[:12]}…).")
    return redirect(target)


@require_POST
@guards.signed_in
def evidence_link_view(request: HttpRequest, key: str) -> HttpResponse:
    """Attach an uploaded file to a question, or detach it."""
    actor = actor_of(request)
    case, response = _open(request, key)
    back = request.POST.get("next") or ""
    target = back if back.startswith("/qad/") else reverse("qad:case", args=[case.reference])
    try:
        evidence = evidence_get(actor=actor, uuid=request.POST.get("evidence"))
        qid = request.POST.get("question", "")
        if request.POST.get("action") == "unlink":
            evidence_unlink(actor=actor, response=response, evidence=evidence, question_id=qid)
            messages.success(request, f"{evidence.original_name} detached.")
        else:
            evidence_link(actor=actor, response=response, evidence=evidence, question_id=qid)
            messages.success(request, f"{evidence.original_name} attached.")
    except DomainError as error:
        report_error(request, error)
    return redirect(target)


EVIDENCE_PICKER_LIMIT = 20


@guards.signed_in
def evidence_picker_view(request: HttpRequest, key: str) -> HttpResponse:
    """Find an uploaded file by name and attach it to one question (``?question=Q-…&search=…``).

    Without JavaScript this is a page of its own, reached from the question's "Attach an uploaded file" link, that
    sends the person back to the question once a file is attached. With htmx the same answer fills the section
    page's one shared dialog, and typing in its search box refreshes just the list. The organisation's people and
    assessors see the files; only those who may edit the answers get the Attach buttons.
    """
    actor = actor_of(request)
    case, response = _open(request, key)
    question: QadQuestion = question_get(response=response, qid=request.GET.get("question", ""))
    search = request.GET.get("search", "").strip()[:160]
    section_url = reverse("qad:section", args=[case.reference, question.section.number])
    context = {
        "case": case,
        "question": question,
        "search": search,
        "matches": evidence_search(
            actor=actor, response=response, question_id=question.qid, search=search, limit=EVIDENCE_PICKER_LIMIT
        ),
        "can_edit": can_edit_answers(actor, case).allowed,
        "picker_url": reverse("qad:evidence_picker", args=[case.reference]),
        "back": f"{section_url}#q-{dom_id(question.qid)}",
    }
    return render_page_or_partial(request, "qad/evidence_picker.html", "qad/_evidence_picker.html", context)


@guards.signed_in
def evidence_download_view(request: HttpRequest, uuid: str) -> FileResponse:
    """Stream an evidence file to the organisation's people and assessors; never through MEDIA_URL."""
    actor = actor_of(request)
    evidence = evidence_get(actor=actor, uuid=uuid)
    decision = can_download_evidence(actor, evidence.response.case)
    if not decision.allowed:
        raise Http404("No such evidence file.")
    handle = storedfiles.open_stored(evidence.storage_name)
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


# Evidence a browser may show in the page's viewer, by the kind its content was checked to be when uploaded.
INLINE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}


@guards.signed_in
@xframe_options_sameorigin
def frozen_evidence_view(request: HttpRequest, reference: str, uuid: str) -> FileResponse:
    """One evidence file exactly as a submission froze it: named in the submission's snapshot, and served only while
    the stored file still has the SHA-256 the snapshot recorded. PDFs and images open in the page (its viewer);
    other kinds, or ``?download=1``, download. A file, not a page: framed by this site only (X-Frame-Options), and
    without the pages' Content-Security-Policy, whose "no framing, no plugins" would stop the browser showing it."""
    actor = actor_of(request)
    submission = submission_get(actor=actor, reference=reference)
    evidence = submission_evidence(submission=submission, uuid=uuid)
    inline = evidence.content_kind in INLINE_TYPES and not request.GET.get("download")
    response = FileResponse(
        storedfiles.open_stored(evidence.storage_name),
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=INLINE_TYPES.get(evidence.content_kind) if inline else None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response._csp_exempt = True  # type: ignore[attr-defined]  # django-csp's own mark (what @csp_exempt() sets)
    return response


@require_POST
@guards.signed_in
def submit_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    case, response = _open(request, key)
    kind = request.POST.get("kind", SubmissionKind.INITIAL)
    if not confirmed(request):
        label = SubmissionKind.FINAL.label if kind == SubmissionKind.FINAL else SubmissionKind.INITIAL.label
        return confirmation_page(
            request,
            action=f"Submit the {label}",
            consequence=SUBMIT_CONFIRM,
            back_url=reverse("qad:case", args=[case.reference]),
        )
    try:
        submission = submission_create(actor=actor, response=response, kind=kind)
    except DomainError as error:
        report_error(request, error)
        details = error.details if isinstance(error.details, dict) else {}
        for item in details.get("missing", [])[10:]:
            messages.error(request, f"{item['number']}: {item['what']}")
        return redirect("qad:case", key=case.reference)
    messages.success(request, f"{submission.get_kind_display()} submitted as {submission.reference}.")
    return redirect("qad:submission", reference=submission.reference)


def _snapshot(submission: QadSubmission) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(submission.content)
    return content


SECTIONS_CACHE_SECONDS = 24 * 3600


def _snapshot_sections_html(submission: QadSubmission, content: dict[str, Any], verified: bool) -> str:
    """The snapshot's answers by section as HTML, rendered once per snapshot and kept in the cache.

    The key is the snapshot's SHA-256 with its QAD version: a snapshot never changes (the database refuses edits)
    and neither does a published version's wording, so what is kept can only be what would be rendered again. It
    holds no per-person content (no form, no token), so one copy serves everyone who may open the submission. A
    snapshot that does not match its hash is rendered from what is stored and never kept.
    """
    key = f"qad:submission-sections:2:{submission.qad_version}:{submission.sha256}:{submission.reference}"
    html: str | None = cache.get(key) if verified else None
    if html is None:
        sections = exports.snapshot_sections(content, submission_questions(submission))
        html = render_to_string(
            "qad/_snapshot_sections.html", {"sections": sections, "reference": submission.reference}
        )
        if verified:
            cache.set(key, html, SECTIONS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  (rendered by the template engine above, which escaped every value)


@guards.signed_in
def submission_view(request: HttpRequest, reference: str) -> HttpResponse:
    actor = actor_of(request)
    submission: QadSubmission = submission_get(actor=actor, reference=reference)
    content = _snapshot(submission)
    declaration = getattr(submission, "declaration", None) if hasattr(submission, "declaration") else None
    current = submission.response.revision == submission.response_revision
    verified = rules.sha256_text(submission.content) == submission.sha256
    context = {
        "submission": submission,
        "content": content,
        "sections_html": _snapshot_sections_html(submission, content, verified),
        "declaration": declaration,
        "declaration_void": declaration is not None and decl.declaration_is_void(declaration),
        "verified": verified,
        "current": current,
    }
    return render(request, "qad/submission.html", context)


# --- the declaration: the lead's invitation -----------------------------------------------------------------------


@require_POST
@guards.signed_in
def declaration_invite_view(request: HttpRequest, key: str) -> HttpResponse:
    """The lead names the director (or delegate) by e-mail and capacity; they get the invitation by e-mail."""
    actor = actor_of(request)
    case: QualificationCase = case_for_qad(actor=actor, key=key)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Invitation not sent: " + "; ".join(" ".join(str(e) for e in v) for v in form.errors.values()),
        )
        return redirect("qad:case", key=case.reference)
    try:
        issued = decl.declaration_invite(
            actor=actor, case=case, site=request.build_absolute_uri("/"), **form.cleaned_data
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Invitation sent to {issued.invitation.email}.")
    return redirect(reverse("qad:case", args=[case.reference]) + "#declaration-h")


def _lead_invitation_action(request: HttpRequest, uuid: str, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    actor = actor_of(request)
    invitation: DeclarationInvitation = invitation_get(actor=actor, uuid=uuid)
    try:
        action(actor=actor, invitation=invitation, **kwargs)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect(reverse("qad:case", args=[invitation.case.reference]) + "#declaration-h")


@require_POST
@guards.signed_in
def invitation_cancel_view(request: HttpRequest, uuid: str) -> HttpResponse:
    return _lead_invitation_action(
        request,
        uuid,
        decl.declaration_invitation_cancel,
        "The invitation to {email} is cancelled; its link no longer works.",
    )


@require_POST
@guards.signed_in
def invitation_resend_view(request: HttpRequest, uuid: str) -> HttpResponse:
    return _lead_invitation_action(
        request,
        uuid,
        decl.declaration_invitation_resend,
        "The invitation was sent to {email} again, with a new link.",
        site=request.build_absolute_uri("/"),
    )


# --- the declaration: the invited person's own pages ------------------------------------------------------------


@guards.public
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail: sign in (or create an account) and go on to the declaration."""
    invitation = decl.invitation_by_token(token)
    context: dict[str, Any] = {"invitation": invitation, "organisation": invitation.case.participation.organisation}
    try:
        decl.invitation_check(invitation, user_id=request.user.pk if request.user.is_authenticated else None)
    except DomainError as error:
        return render(request, "qad/invitation.html", {**context, "unusable": error.message}, status=410)
    if request.user.is_authenticated:
        try:
            decl.invitation_accept(actor=actor_of(request), token=token)
        except NotFound:
            raise  # the 404 page (ErrorPagesMiddleware), not the wrong-account page
        except DomainError as error:
            return render(request, "qad/invitation.html", {**context, "wrong_account": error.message}, status=403)
        return redirect("qad:declaration", uuid=str(invitation.uuid))
    has_account = decl.invitee_has_account(invitation)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and not has_account and form.is_valid():
        try:
            _, user = decl.invitation_accept_new_account(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            auth_login(request, user, backend="qualify.accounts.backends.PeopleBackend")
            messages.success(request, "Your account is ready. Read the snapshot below, then declare.")
            return redirect("qad:declaration", uuid=str(invitation.uuid))
    context.update(
        {
            "has_account": has_account,
            "form": form,
            "login_url": reverse("accounts:login") + "?next=" + request.path,
        }
    )
    return render(request, "qad/invitation.html", context)


def _declarant_invitation(request: HttpRequest, uuid: str) -> DeclarationInvitation:
    invitation: DeclarationInvitation = decl.invitation_for_declarant(actor=actor_of(request), uuid=uuid)
    return invitation


def _declaration_page(
    request: HttpRequest, invitation: DeclarationInvitation, *, form: DeclareForm, confirm: bool = False
) -> HttpResponse:
    submission = invitation.submission
    content = _snapshot(submission)
    status = decl.status_of(invitation)
    declaration = invitation.declarations.select_related("submission").first()
    context = {
        "invitation": invitation,
        "status": status,
        "status_words": decl.STATUS_WORDS[status],
        "usable": status in decl.LIVE and invitation.case.state == CaseState.AGREED,
        "submission": submission,
        "content": content,
        "sections": exports.snapshot_sections(content, submission_questions(submission)),
        "verified": rules.sha256_text(submission.content) == submission.sha256,
        "statement": decl.STATEMENT,
        "declaration": declaration,
        "declaration_void": declaration is not None and decl.declaration_is_void(declaration),
        "form": form,
        "confirm": confirm,
    }
    return render(request, "qad/declaration.html", context)


@guards.signed_in
def declaration_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """The invited person's page: the exact snapshot with its SHA-256, and the declaration form."""
    invitation = _declarant_invitation(request, uuid)
    return _declaration_page(request, invitation, form=DeclareForm())


@require_POST
@guards.signed_in
@second_factor_required()  # the director's sign-off: a fresh second factor (issue 16)
def declaration_declare_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Two steps: the form first shows what will be declared and asks to confirm; the confirmation declares."""
    invitation = _declarant_invitation(request, uuid)
    form = DeclareForm(request.POST)
    if not form.is_valid():
        return _declaration_page(request, invitation, form=form)
    if request.POST.get("step") != "confirmed":
        return _declaration_page(request, invitation, form=form, confirm=True)
    try:
        declaration = decl.declaration_make(
            actor=actor_of(request),
            invitation=invitation,
            position=form.cleaned_data["position"],
            confirmed=form.cleaned_data["confirm"],
        )
    except DomainError as error:
        report_error(request, error)
        return redirect("qad:declaration", uuid=str(invitation.uuid))
    messages.success(
        request, f"Your declaration on {declaration.submission.reference} is recorded; the case is signed."
    )
    return redirect("qad:declaration", uuid=str(invitation.uuid))


def _docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json_response(payload: Any, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@guards.signed_in
def submission_export_view(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """A submission as Word or JSON (the JSON carries the canonical snapshot text and its SHA-256)."""
    actor = actor_of(request)
    submission: QadSubmission = submission_get(actor=actor, reference=reference)
    content = _snapshot(submission)
    name = f"{submission.reference}-{submission.kind.lower()}"
    if fmt == "json":
        return _json_response(
            {
                "reference": submission.reference,
                "kind": submission.kind,
                "submitted_at": submission.created_at.isoformat(),
                "submitted_by": submission.submitted_by_name,
                "sha256": submission.sha256,
                "canonical": submission.content,
                "snapshot": content,
            },
            f"{name}.json",
        )
    if fmt != "docx":
        raise Http404("Unknown format.")
    data = exports.qad_docx(
        heading=f"{submission.get_kind_display()} {submission.reference}",
        facts=exports.snapshot_facts(
            content,
            [
                (
                    "Submitted",
                    f"{timezone.localtime(submission.created_at):%d %b %Y %H:%M} by {submission.submitted_by_name}",
                ),
                ("SHA-256", submission.sha256),
            ],
        ),
        sections=exports.snapshot_sections(content, submission_questions(submission)),
    )
    return _docx_response(data, f"{name}.docx")


@guards.signed_in
def draft_export_view(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The working draft as Word, JSON or Excel (the Excel file is the layout the import reads back)."""
    from qualify.qad.services import snapshot_content

    actor = actor_of(request)
    case, response = _open(request, key)
    view = qad_view(actor=actor, response=response)
    name = f"{case.reference}-qad-draft"
    if fmt == "xlsx":
        data = exports.version_workbook(
            title=f"{case.reference} QAD v{response.version.version}", questions=view.questions, answers=view.values()
        )
        out = HttpResponse(data, content_type=XLSX)
        out["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return out
    content = snapshot_content(response=response, kind="DRAFT", view=view)
    if fmt == "json":
        return _json_response({"draft": True, "snapshot": content}, f"{name}.json")
    if fmt != "docx":
        raise Http404("Unknown format.")
    data = exports.qad_docx(
        heading=f"QAD working draft — {case.reference}",
        facts=exports.snapshot_facts(content, [("Revision", str(response.revision))]),
        sections=exports.snapshot_sections(content, view.questions),
    )
    return _docx_response(data, f"{name}.docx")


@require_POST
@guards.signed_in
def import_view(request: HttpRequest, key: str) -> HttpResponse:
    """Import answers from an Excel file in the exported layout: all rows or none, each bad row named."""
    actor = actor_of(request)
    case, response = _open(request, key)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose an .xlsx file to import.")
        return redirect("qad:case", key=case.reference)
    questions = {q.qid: q for q in version_questions(response.version)}
    try:
        rows = exports.read_answer_rows(form.cleaned_data["file"].read(), questions)
        saved = answers_import(actor=actor, response=response, rows=rows)
    except DomainError as error:
        report_error(request, error)
        details = error.details if isinstance(error.details, dict) else {}
        for row in details.get("rows", [])[5:]:
            messages.error(request, f"row {row['row']} ({row['question']}): {row['message']}")
    else:
        messages.success(request, f"{saved} answer(s) imported.")
    return redirect("qad:case", key=case.reference)


@guards.signed_in
def move_version_view(request: HttpRequest, key: str) -> HttpResponse:
    """Preview (GET) and make (POST) a move to a newer published version: what is new, changed and removed."""
    actor = actor_of(request)
    case, response = _open(request, key)
    target_id = request.POST.get("to") or request.GET.get("to") or ""
    target: QadVersion = version_get(actor=actor, version=target_id)
    changes = rules.compare_versions(version_questions(response.version), version_questions(target))
    if request.method == "POST":
        try:
            changes = response_move_version(actor=actor, response=response, version=target)
        except DomainError as error:
            report_error(request, error)
            return redirect("qad:case", key=case.reference)
        messages.success(request, f"The QAD is now on v{target.version}.")
    context = {
        "case": case,
        "response": response,
        "target": target,
        "changes": changes,
        "moved": request.method == "POST",
        "can_move": can_move_version(actor, case).allowed,
    }
    return render(request, "qad/move_version.html", context)
