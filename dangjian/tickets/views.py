"""The hotline's pages: the operator console (intake with live suggestions,
the list of tickets), a unit's queue by due date (phone width), a ticket's
page with its timeline and the steps the person may take, and the figures.

Operators and unit handlers only; every step calls the same ``actions`` as
the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.lib import plugins
from dangjian.orgs.models import Organisation
from dangjian.tickets import actions, figures
from dangjian.tickets.actions import Intake
from dangjian.tickets.models import (
    CONSULT,
    TYPES,
    Channel,
    Satisfaction,
    Status,
    Ticket,
)
from dangjian.tickets.permissions import (
    handles,
    is_operator,
    may_use_desk,
    visible,
)

SOURCE_NOTE = (
    "示例数据：演示工单取自公开的政务留言数据集（cmTCEC/MSGABench，"
    "已由数据集本身脱敏），受理时间分布在最近一个月。"
)


def _require_desk(request: HttpRequest) -> None:
    if not may_use_desk(request.user):
        raise PermissionDenied


def _units() -> list[Organisation]:
    return list(
        Organisation.objects.filter(is_active=True, dispatch_rules__isnull=False)
        .distinct()
        .order_by("name")
    )


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """Operators: every ticket, newest first; handlers go to their queue."""
    _require_desk(request)
    if not is_operator(request.user):
        return redirect("tickets:queue")
    status = request.GET.get("status", "")
    rows = visible(request.user).select_related("unit")
    if status in Status.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "tickets/desk.html",
        {
            "tickets": rows.order_by("-created_at")[:100],
            "status": status,
            "statuses": Status.choices,
            "source_note": SOURCE_NOTE,
        },
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    if not is_operator(request.user):
        raise PermissionDenied
    form: dict[str, Any] = {"channel": Channel.PHONE}
    errors: list[str] = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in request.POST}
        data = Intake(
            text=form.get("text", ""),
            channel=form.get("channel", Channel.PHONE),
            caller_name=form.get("caller_name", ""),
            caller_phone=form.get("caller_phone", ""),
            domain=form.get("domain") or None,
            message_type=form.get("message_type") or None,
            unit_id=_int(form.get("unit_id")),
            kb_entry_id=_int(form.get("kb_entry_id"))
            if form.get("answer_from_kb")
            else None,
            answer=form.get("answer", ""),
        )
        try:
            ticket = actions.check_receive(data, user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                f"已受理工单 {ticket.number}（{ticket.get_status_display()}）",
            )
            return redirect(ticket)
    return render(
        request,
        "tickets/intake.html",
        {
            "form": form,
            "errors": errors,
            "channels": Channel.choices,
            "types": TYPES,
            "units": _units(),
        },
        status=422 if errors else 200,
    )


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**31 else None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """A unit's open tickets by due date (the handler's phone page)."""
    _require_desk(request)
    rows = (
        visible(request.user)
        .filter(status__in=(Status.DISPATCHED, Status.SIGNED))
        .select_related("unit")
        .by_due_date()
    )
    today = actions.today()
    return render(
        request,
        "tickets/queue.html",
        {"tickets": rows[:200], "today": today},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request)
    ticket = get_object_or_404(visible(request.user).select_related("unit"), pk=pk)
    operator = is_operator(request.user)
    handler = handles(request.user, ticket)
    kb = plugins.provided(plugins.KNOWLEDGE_BASE)
    matches = (
        kb.search(ticket.text, limit=3)
        if kb and operator and ticket.status == Status.NEW
        else []
    )
    earlier = (
        [
            t
            for t in Ticket.objects.filter(caller_hash=ticket.caller_hash).exclude(
                pk=pk
            )[:5]
        ]
        if operator and ticket.caller_hash
        else []
    )
    return render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "events": ticket.events.select_related("actor", "unit"),
            "operator": operator,
            "handler": handler,
            "units": _units() if operator else [],
            "satisfactions": Satisfaction.choices,
            "matches": matches,
            "earlier": earlier,
            "Status": Status,
            "consult": CONSULT,
        },
    )


STEPS = {
    "dispatch": lambda t, p, u: actions.check_dispatch(
        t, _int(p.get("unit_id")), user=u
    ),
    "sign": lambda t, p, u: actions.check_sign(t, user=u),
    "send_back": lambda t, p, u: actions.check_send_back(t, p.get("reason"), user=u),
    "extension": lambda t, p, u: actions.check_request_extension(
        t, p.get("days"), p.get("reason"), user=u
    ),
    "extension_ok": lambda t, p, u: actions.check_decide_extension(t, True, user=u),
    "extension_no": lambda t, p, u: actions.check_decide_extension(t, False, user=u),
    "reply": lambda t, p, u: actions.check_reply(t, p.get("reply"), user=u),
    "follow_up": lambda t, p, u: actions.check_follow_up(
        t, p.get("satisfaction"), p.get("note", ""), user=u
    ),
}


@login_required
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request)
    ticket = get_object_or_404(visible(request.user), pk=pk)
    fn = STEPS.get(request.POST.get("step", ""))
    if fn is None:
        messages.error(request, "未知的办理环节。")
        return redirect(ticket)
    try:
        ticket = fn(ticket, request.POST, request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已办理：{ticket.get_status_display()}")
    if not visible(request.user).filter(pk=pk).exists():
        # Sent back: the ticket has left the unit.
        return redirect("tickets:queue")
    return redirect(ticket)


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    _require_desk(request)
    data = figures.summary(visible(request.user))
    return render(
        request, "tickets/figures.html", {"f": data, "source_note": SOURCE_NOTE}
    )
