"""Admin pages of the registry: roster import and export, a member's record
(full view, status, account, transfer) and the unit's transfer dashboard.
Every page asks the unit policy (``permissions``) before anything else."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.lib.excel import XLSX
from dangjian.members import actions, arrivals, letters, transfers
from dangjian.members.export import roster_xlsx
from dangjian.members.forms import (
    ArrivalForm,
    ImportForm,
    RefuseForm,
    StatusForm,
    TransferForm,
)
from dangjian.members.importer import COLUMNS, import_roster
from dangjian.members.models import IntroductionLetter, MemberProfile
from dangjian.members.permissions import (
    managed_units,
    profile_policy,
    profiles_for,
    transfers_for,
)
from dangjian.orgs.models import Organisation


def _managing(request) -> None:
    if not managed_units(request.user).exists():
        raise PermissionDenied


def _profile(request, profile_id: int) -> MemberProfile:
    profile_policy().check_reachable_pk(request.user, profile_id)
    return get_object_or_404(
        MemberProfile.objects.select_related("branch", "person"), pk=profile_id
    )


def _messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def import_members(request):
    _managing(request)
    errors: list[str] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_roster(upload.name, upload.read(), user=request.user)
            except ValidationError as exc:
                errors = _messages(exc)
            else:
                messages.success(
                    request,
                    _("导入完成：新登记 %(created)d 人，更新 %(updated)d 人。")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("members_import")
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "members/admin/import.html",
        {
            "form": form,
            "errors": errors,
            "columns": "，".join(COLUMNS),
            "units": managed_units(request.user).filter(depth__lte=3)[:20],
        },
    )


def export_members(request):
    _managing(request)
    name = f"党员名册-{timezone.localdate():%Y%m%d}.xlsx"
    data = roster_xlsx(
        profiles_for(request.user), title=_("党员名册（身份证号已脱敏）")
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(True, name) or "attachment"
    )
    return response


def record(request, profile_id: int):
    profile = _profile(request, profile_id)
    return TemplateResponse(
        request,
        "members/admin/record.html",
        {
            "profile": profile,
            "changes": profile.status_changes.select_related("changed_by"),
            "transfers": profile.transfers.select_related("from_branch", "to_branch"),
            "status_form": StatusForm(current=profile.status),
            "transfer_form": TransferForm(),
            "views": profile.record_views.select_related("viewer")[:20],
            "letters": profile.letters.all(),
            "arrivals": profile.arrival_letters.select_related("to_branch"),
        },
    )


def full_record(request, profile_id: int):
    profile = _profile(request, profile_id)
    number = actions.read_full_record(profile, request.user, via="admin")
    return TemplateResponse(
        request,
        "members/admin/full.html",
        {"profile": profile, "number": number},
    )


@require_POST
def change_status(request, profile_id: int):
    profile = _profile(request, profile_id)
    form = StatusForm(request.POST, current=profile.status)
    if form.is_valid():
        actions.do_change_status(
            profile,
            form.cleaned_data["status"],
            effective_on=form.cleaned_data["effective_on"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        messages.success(request, _("党籍状态已变更。"))
    else:
        for error in form.errors.as_data().values():
            for message in ValidationError(error).messages:
                messages.error(request, message)
    return redirect("members_record", profile.pk)


@require_POST
def account(request, profile_id: int, action: str):
    profile = _profile(request, profile_id)
    steps = {
        "disable": (actions.do_disable_account, _("账号已停用。")),
        "enable": (actions.do_enable_account, _("账号已恢复。")),
        "reset": (
            actions.do_reset_account,
            _("账号已重置：党员需重新用短信验证码激活。"),
        ),
    }
    if action not in steps:
        raise PermissionDenied
    step, done = steps[action]
    step(profile, acting_user=request.user)
    messages.success(request, done)
    return redirect("members_record", profile.pk)


@require_POST
def request_transfer(request, profile_id: int):
    profile = _profile(request, profile_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["to_branch_name"].strip()
        to_branch = Organisation.objects.filter(name=name).first()
        try:
            if to_branch is None:
                raise ValidationError(_("找不到党组织“%(name)s”") % {"name": name})
            transfers.check_request_transfer(
                profile,
                to_branch,
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("转接申请已提交。"))
    else:
        for error in form.errors.as_data().values():
            for message in ValidationError(error).messages:
                messages.error(request, message)
    return redirect("members_record", profile.pk)


def register_arrival(request):
    """A member arriving from outside the city with an introduction letter,
    registered into one of the person's own branches."""
    _managing(request)
    branches = managed_units(request.user).branches().filter(is_active=True)
    errors: list[str] = []
    form = ArrivalForm(request.POST or None, branches=branches)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                profile = arrivals.check_register_arrival(
                    form.row(),
                    branch=form.cleaned_data["branch"],
                    letter_number=form.cleaned_data["letter_number"],
                    issuer=form.cleaned_data["issuer"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                errors = _messages(exc)
            else:
                messages.success(
                    request,
                    _(
                        "已登记转入：%(name)s，转入%(branch)s。账号未激活，"
                        "请通知本人用手机号 %(mobile)s 接收短信验证码激活。"
                    )
                    % {
                        "name": profile.name,
                        "branch": profile.branch.name,
                        "mobile": profile.mobile or _("（未填写，请先补填手机号）"),
                    },
                )
                return redirect("members_record", profile.pk)
        status = 400
    return TemplateResponse(
        request,
        "members/admin/arrival.html",
        {"form": form, "errors": errors},
        status=status,
    )


def transfer_dashboard(request):
    _managing(request)
    board = transfers.dashboard(managed_units(request.user))
    return TemplateResponse(
        request,
        "members/admin/transfers.html",
        {**board, "refuse_form": RefuseForm(), "today": timezone.localdate()},
    )


@require_POST
def transfer_step(request, transfer_id: int, step: str):
    transfer = get_object_or_404(transfers_for(request.user), pk=transfer_id)
    try:
        if step == "approve":
            transfers.do_approve_transfer(transfer, acting_user=request.user)
        elif step == "accept":
            transfers.do_accept_transfer(transfer, acting_user=request.user)
        elif step == "refuse":
            transfers.do_refuse_transfer(
                transfer,
                reason=request.POST.get("reason", ""),
                acting_user=request.user,
            )
        elif step == "cancel":
            transfers.do_cancel_transfer(transfer, acting_user=request.user)
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已办理。"))
    return redirect("members_transfers")


@require_POST
def issue_letter(request, profile_id: int):
    profile = _profile(request, profile_id)
    try:
        letter = letters.check_issue_letter(
            profile,
            destination=request.POST.get("destination", "")[:200],
            acting_user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已开具介绍信第%(n)s号；该党员已标记为转出。") % {"n": letter.number},
        )
    return redirect("members_record", profile.pk)


def _letter(request, letter_id: int) -> IntroductionLetter:
    letter = get_object_or_404(
        IntroductionLetter.objects.select_related("profile", "from_branch"),
        pk=letter_id,
    )
    profile_policy().check_reachable_pk(request.user, letter.profile_id)
    return letter


def letter_pdf(request, letter_id: int):
    letter = _letter(request, letter_id)
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"介绍信-{letter.number}.pdf") or "inline"
    )
    return response


@require_POST
def record_receipt(request, letter_id: int):
    letter = _letter(request, letter_id)
    try:
        letters.do_record_receipt(letter, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("回执已登记，转出完成。"))
    return redirect("members_record", letter.profile_id)
