"""The Programme's pages: onboarding organisations, their people and invitations, bulk onboarding, and waves.

Thin adapters: forms shape the input, services decide and audit, selectors read what the actor may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_list
from qualify.cases.services import case_open
from qualify.core import clock, guards
from qualify.core.errors import DomainError, NotAllowed, NotFound
from qualify.core.ids import parse_uuid
from qualify.core.requests import actor_of
from qualify.core.roles import MembershipRole, StaffRole
from qualify.core.uploads import SizeLimitHandler, install_upload_handlers
from qualify.core.web import ask_first, paginate, report_error
from qualify.participants.models import Organisation
from qualify.participants.selectors import organisation_get, organisation_list, participation_get, participation_list
from qualify.participants.services import (
    membership_change_role,
    organisation_create,
    organisation_update,
    participation_create,
    participation_update,
)
from qualify.programme.choices import missed
from qualify.programme.forms import (
    AcceptForm,
    ApplyForm,
    CaseOpenForm,
    InvitationForm,
    MoveForm,
    OrganisationForm,
    ParticipationEditForm,
    ParticipationForm,
    RoleForm,
    UploadForm,
    WaveForm,
)
from qualify.programme.models import Invitation
from qualify.programme.permissions import can_invite
from qualify.programme.selectors import (
    invitations_of,
    managed_organisation,
    membership_of,
    people_of,
    wave_cases,
    wave_plan_get,
    wave_plan_list,
)
from qualify.programme.services import (
    cases_move_wave,
    invitation_accept,
    invitation_send,
    invitation_withdraw,
    onboarding_apply,
    onboarding_preview,
    wave_plan_save,
)
from qualify.programme.services.bulk import MAX_BYTES, rows_as_csv, template_csv, template_workbook
from qualify.programme.services.invitations import invitation_by_secret

admin_only = guards.staff(StaffRole.PROGRAMME_ADMIN)

WITHDRAW_CONFIRM = "The invitation's link stops working at once; the person needs a new invitation to join."


def _found(get: Callable[[], Any]) -> Any:
    """What ``get`` reads; a refused read is a 403 (out of scope is the 404 page, by ErrorPagesMiddleware)."""
    try:
        return get()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def _problems(form: Any) -> str:
    return "Please check: " + "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())


# --- Onboarding organisations -------------------------------------------------------------------------------------


@admin_only
def onboarding_home(request: HttpRequest) -> HttpResponse:
    """Every organisation, a form for a new one, and the ways in: bulk onboarding and the waves."""
    actor = actor_of(request)
    search = request.GET.get("q", "")[:100]
    page = paginate(request, organisation_list(actor=actor, search=search))
    return render(request, "programme/home.html", {"page": page, "search": search, "form": OrganisationForm()})


@require_POST
@admin_only
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect("programme:home")
    try:
        organisation = organisation_create(actor=actor_of(request), **form.cleaned_data)
    except DomainError as error:
        report_error(request, error)
        return redirect("programme:home")
    messages.success(request, f"{organisation.name} is registered. Add its market participations and invite its lead.")
    return redirect("programme:organisation", uuid=organisation.uuid)


def _organisation_page(
    request: HttpRequest, organisation: Organisation, form: OrganisationForm | None = None
) -> HttpResponse:
    actor = actor_of(request)
    participations = participation_list(actor=actor, organisation=organisation).prefetch_related(
        "qualification_cases__wave"
    )
    context = {
        "organisation": organisation,
        "form": form
        or OrganisationForm(
            initial={f: getattr(organisation, f) for f in OrganisationForm.base_fields}, auto_id="org_%s"
        ),
        "participations": participations,
        # Several forms share the page: each gets its own element ids so every label names its own field.
        "participation_form": ParticipationForm(auto_id="part_%s"),
        "case_form": CaseOpenForm(auto_id=False),
        "invite_form": InvitationForm(initial={"role": MembershipRole.LEAD}, auto_id="invite_%s"),
        "members": people_of(actor=actor, organisation=organisation),
        "invitations": invitations_of(actor=actor, organisation=organisation),
    }
    return render(request, "programme/organisation.html", context, status=400 if form is not None else 200)


@admin_only
def organisation_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Onboard one organisation: its details, participations, cases and people."""
    actor = actor_of(request)
    organisation = _found(lambda: organisation_get(actor=actor, uuid=uuid))
    if request.method != "POST":
        return _organisation_page(request, organisation)
    form = OrganisationForm(request.POST, auto_id="org_%s")
    if not form.is_valid():
        return _organisation_page(request, organisation, form)
    try:
        organisation_update(actor=actor, organisation=organisation, **form.cleaned_data)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, "The organisation's details are saved.")
    return redirect("programme:organisation", uuid=organisation.uuid)


@require_POST
@admin_only
def participation_add(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    organisation = _found(lambda: organisation_get(actor=actor, uuid=uuid))
    form = ParticipationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect("programme:organisation", uuid=organisation.uuid)
    try:
        participation = participation_create(
            actor=actor,
            organisation=organisation,
            mpid=form.cleaned_data["mpid"],
            role=form.cleaned_data["role"],
            route=form.cleaned_data["route"],
            is_new_entrant=form.cleaned_data["is_new_entrant"],
            distributor_ids=form.distributor_list(),
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{participation} is registered.")
    return redirect("programme:organisation", uuid=organisation.uuid)


@admin_only
def participation_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    """Change a participation's route, new-entrant flag or distributor ids."""
    actor = actor_of(request)
    participation = _found(lambda: participation_get(actor=actor, uuid=uuid))
    codes = "; ".join(d.code for d in participation.distributor_ids.all())
    form = ParticipationEditForm(
        request.POST or None,
        initial={
            "route": participation.route,
            "is_new_entrant": participation.is_new_entrant,
            "distributor_ids": codes,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                participation_update(
                    actor=actor,
                    participation=participation,
                    route=form.cleaned_data["route"],
                    is_new_entrant=form.cleaned_data["is_new_entrant"],
                    distributor_ids=form.distributor_list(),
                )
            except DomainError as error:
                report_error(request, error)
                status = error.status
            else:
                messages.success(request, f"{participation} is saved.")
                return redirect("programme:organisation", uuid=participation.organisation.uuid)
        else:
            status = 400
    return render(
        request, "programme/participation.html", {"participation": participation, "form": form}, status=status
    )


@require_POST
@admin_only
def case_open_view(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    organisation = _found(lambda: organisation_get(actor=actor, uuid=uuid))
    form = CaseOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect("programme:organisation", uuid=organisation.uuid)
    participation = organisation.participations.filter(uuid=form.cleaned_data["participation"]).first()
    if participation is None:
        raise Http404("No such market participation.")
    try:
        case = case_open(
            actor=actor,
            participation=participation,
            wave=form.cleaned_data["wave"],
            target_migration_date=form.cleaned_data["target_migration_date"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{case.reference} is open for {participation}.")
    return redirect("programme:organisation", uuid=organisation.uuid)


# --- People and invitations -----------------------------------------------------------------------------------------


def _people_page(request: HttpRequest, organisation: Organisation, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "organisation": organisation,
        "members": people_of(actor=actor, organisation=organisation),
        "invitations": invitations_of(actor=actor, organisation=organisation),
        "invite_form": InvitationForm(initial={"role": MembershipRole.CONTRIBUTOR}),
        "roles": MembershipRole.choices,
        "invitable_roles": [(v, label) for v, label in MembershipRole.choices if can_invite(actor, organisation.pk, v)],
        "is_admin": actor.is_programme_admin,
        "withdraw_confirm": WITHDRAW_CONFIRM,
    }
    return render(request, "programme/people.html", context, status=status)


@guards.signed_in
def people(request: HttpRequest, uuid: str) -> HttpResponse:
    """An organisation's people and open invitations, for its lead (or the Programme): invite, change roles."""
    organisation = _found(lambda: managed_organisation(actor=actor_of(request), uuid=uuid))
    return _people_page(request, organisation)


@require_POST
@guards.signed_in
def invite(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    organisation = _found(lambda: managed_organisation(actor=actor, uuid=uuid))
    form = InvitationForm(request.POST)
    back = request.POST.get("back") == "organisation" and actor.is_programme_admin
    if not form.is_valid():
        messages.error(request, _problems(form))
    else:
        try:
            issued = invitation_send(actor=actor, organisation=organisation, **form.cleaned_data)
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"An invitation is on its way to {issued.invitation.email}.")
    return redirect("programme:organisation" if back else "programme:people", uuid=organisation.uuid)


@require_POST
@guards.signed_in
def member_role(request: HttpRequest, uuid: str, user_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    organisation = _found(lambda: managed_organisation(actor=actor, uuid=uuid))
    membership = _found(lambda: membership_of(actor=actor, organisation=organisation, user_uuid=user_uuid))
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
    else:
        try:
            changed = membership_change_role(actor=actor, membership=membership, role=form.cleaned_data["role"])
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"{changed.user.display_name} is now {changed.get_role_display().lower()}.")
    return redirect("programme:people", uuid=organisation.uuid)


@require_POST
@guards.signed_in
def invitation_withdraw_view(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    public_id = parse_uuid(uuid)
    invitation = (
        Invitation.objects.visible_to(actor).select_related("organisation").filter(uuid=public_id).first()
        if public_id
        else None
    )
    if invitation is None:
        raise Http404("No such invitation.")
    organisation = _found(lambda: managed_organisation(actor=actor, uuid=invitation.organisation.uuid))
    asking = ask_first(
        request,
        action=f"Withdraw the invitation to {invitation.email}",
        consequence=WITHDRAW_CONFIRM,
        back_url=reverse("programme:people", args=[organisation.uuid]),
        destructive=True,
    )
    if asking is not None:
        return asking
    try:
        invitation_withdraw(actor=actor, invitation=invitation)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("programme:people", uuid=organisation.uuid)


@guards.public
def accept(request: HttpRequest, secret: str) -> HttpResponse:
    """The invitation link: set a password and sign in. An unknown, used, withdrawn or expired link is a 404."""
    try:
        invitation = invitation_by_secret(secret)
    except NotFound as exc:
        return render(request, "programme/accept_invalid.html", {"message": exc.message}, status=404)
    form = AcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = invitation_accept(
                    secret=secret, password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                login(request, user, backend="qualify.accounts.backends.PeopleBackend")
                messages.success(request, f"Welcome to {invitation.organisation.name} on qualify.")
                return redirect("cases:home")
        else:
            status = 400
    return render(request, "programme/accept.html", {"invitation": invitation, "form": form}, status=status)


# --- Bulk onboarding ------------------------------------------------------------------------------------------------


@admin_only
@csrf_exempt
def bulk(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or Excel file; see what it would create or change, and every problem by row and column."""
    # The size limit must be in place before anything reads the body, which the CSRF check does; so CSRF is checked
    # just after, in _bulk_protected (as the gating upload does).
    handler = install_upload_handlers(request, limit=MAX_BYTES) if request.method == "POST" else None
    return _bulk_protected(request, handler)


@csrf_protect
def _bulk_protected(request: HttpRequest, handler: SizeLimitHandler | None) -> HttpResponse:
    context: dict[str, Any] = {"form": UploadForm(), "max_kb": MAX_BYTES // 1024}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if handler is not None and handler.exceeded:
            messages.error(request, f"The file is larger than {MAX_BYTES // 1024} KB; split it.")
            status = 413
        elif upload is None:
            messages.error(request, "Choose a CSV or Excel file.")
            status = 400
        else:
            try:
                plan = onboarding_preview(
                    actor=actor_of(request), data=upload.read(MAX_BYTES + 1), source_name=upload.name or "file"
                )
            except DomainError as error:
                context["problems"] = error.details.get("problems", []) if isinstance(error.details, dict) else []
                messages.error(request, error.message)
                status = error.status
            else:
                context["plan"] = plan
                context["problems"] = plan.problems
                if not plan.problems:
                    context["apply_form"] = ApplyForm(initial={"content": rows_as_csv(plan)})
                status = 200 if not plan.problems else 422
    return render(request, "programme/bulk.html", context, status=status)


@require_POST
@admin_only
def bulk_apply(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the confirmation to apply the file, after checking its preview.")
        return redirect("programme:bulk")
    try:
        applied = onboarding_apply(
            actor=actor_of(request), data=form.cleaned_data["content"].encode("utf-8"), source_name="the previewed file"
        )
    except DomainError as error:
        report_error(request, error)
        return redirect("programme:bulk")
    messages.success(
        request,
        f"Applied {applied.rows} row{pluralize(applied.rows)}: {applied.changes} change{pluralize(applied.changes)}."
        if applied.changes
        else "Nothing to change: everything in the file is already in place.",
    )
    return render(request, "programme/bulk_done.html", {"applied": applied})


@admin_only
def bulk_template(request: HttpRequest) -> HttpResponse:
    """The onboarding file's columns with one example row, as CSV (or Excel with ?format=xlsx)."""
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="onboarding-template.xlsx"'
        return response
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="onboarding-template.csv"'
    return response


# --- Waves ------------------------------------------------------------------------------------------------------


@admin_only
def waves(request: HttpRequest) -> HttpResponse:
    """Every wave with its windows and deadlines and how many cases it holds."""
    return render(request, "programme/waves.html", {"waves": wave_plan_list(actor=actor_of(request))})


def _save_wave(request: HttpRequest, form: WaveForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        wave = wave_plan_save(
            actor=actor_of(request),
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            sequence=form.cleaned_data["sequence"],
            deadlines=form.deadlines(),
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, f"{wave.name} is saved.")
    return redirect("programme:wave", code=wave.code)


@admin_only
def wave_new(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.POST or None)
    if request.method == "POST" and (done := _save_wave(request, form)) is not None:
        return done
    return render(request, "programme/wave_form.html", {"form": form}, status=400 if form.errors else 200)


@admin_only
def wave_view(request: HttpRequest, code: str) -> HttpResponse:
    """One wave: edit its dates, see its cases, move cases to another wave (with a reason)."""
    actor = actor_of(request)
    wave = _found(lambda: wave_plan_get(actor=actor, code=code))
    initial = {"code": wave.code, "name": wave.name, "description": wave.description, "sequence": wave.sequence}
    initial.update({f"deadline_{d.kind}": d.date for d in wave.deadlines.all()})
    form = WaveForm(request.POST or None, initial=initial)
    if request.method == "POST":
        data = request.POST.copy()
        data["code"] = wave.code  # a wave's code is its identity; renaming is a new wave
        form = WaveForm(data, initial=initial)
        if (done := _save_wave(request, form)) is not None:
            return done
    deadlines, today = list(wave.deadlines.all()), clock.today()
    cases = [(case, missed(case.state, deadlines, today)) for case in wave_cases(actor=actor, wave=wave)]
    context = {
        "wave": wave,
        "form": form,
        "cases": cases,
        "move_form": MoveForm(),
        "other_waves": [w for w in wave_plan_list(actor=actor) if w.pk != wave.pk],
    }
    return render(request, "programme/wave.html", context, status=400 if form.errors else 200)


@require_POST
@admin_only
def wave_move(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_of(request)
    wave = _found(lambda: wave_plan_get(actor=actor, code=code))
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect("programme:wave", code=wave.code)
    keys = [k for k in request.POST.getlist("cases") if k][:500]
    chosen: list[QualificationCase] = list(case_list(actor=actor).filter(wave=wave, reference__in=keys))
    if len(chosen) != len(set(keys)):
        raise Http404("No such qualification case in this wave.")
    try:
        cases_move_wave(actor=actor, cases=chosen, wave=form.cleaned_data["wave"], reason=form.cleaned_data["reason"])
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(
            request, f"{len(chosen)} case{pluralize(len(chosen))} moved to {form.cleaned_data['wave'].name}."
        )
    return redirect("programme:wave", code=wave.code)
