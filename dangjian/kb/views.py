"""Citizen search, entry pages, the operator console and the hot-questions dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dangjian.kb import dashboard
from dangjian.kb.actions import FeedbackRefused, check_rate_answer, do_log_click
from dangjian.kb.models import Entry, SearchLog, sample_notice
from dangjian.kb.permissions import editable_units
from dangjian.kb.search import search_entries
from dangjian.lib import pagecache
from dangjian.lib.clientaddr import client_ip
from dangjian.lib.counting import count_view
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations

PAGE_SIZE = 10


def _int(value, default=0, lo=0, hi=10_000):
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


def _landing(request) -> bool:
    # A search is logged (hot questions, searches that find nothing): only
    # the landing page, without a query, is the same for everyone.
    return not request.GET.get("q") and not request.GET.get("unit")


@pagecache.public_page(when=_landing)
def search(request):
    """The citizens' search; without a query, the landing page: this week's
    hot questions, the categories and the units that answer."""
    q = request.GET.get("q", "").strip()[:200]
    unit = request.GET.get("unit", "")
    unit = unit if unit.isdigit() else ""
    category = request.GET.get("category", "").strip()[:100]
    page = _int(request.GET.get("page"), 1, 1, 1000)
    results = None
    pages = None
    context: dict = {}
    if q or unit or category:
        results = search_entries(
            q,
            unit=unit or None,
            category=category or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            channel=SearchLog.Channel.CITIZEN,
        )
        # Paginator over the total only, to render page links.
        pages = Paginator(range(min(results.total, 1000)), PAGE_SIZE).get_page(page)
    else:
        context = dashboard.landing()
    units = Organisation.objects.maintaining_kb().order_by("path").only("id", "name")
    context.update(
        {
            "q": q,
            "unit": unit,
            "category": category,
            "units": units,
            "results": results,
            "pages": pages,
            "sample_notice": sample_notice(),
        }
    )
    return render(request, "kb/search.html", context)


def entry(request, pk: int):
    entry = get_object_or_404(Entry.objects.select_related("owner"), pk=pk)
    if not entry.is_searchable and not (
        request.user.is_authenticated
        and editable_units(request.user).filter(pk=entry.owner_id).exists()
    ):
        # Drafts and expired entries are not public.
        raise Http404
    log = request.GET.get("log", "")[:32]
    if log:
        do_log_click(log, entry)
    note = FEEDBACK_NOTES.get(request.GET.get("feedback", ""), "")
    response = render(
        request,
        "kb/entry.html",
        {
            "entry": entry,
            "feedback_note": note,
            "feedback_ok": request.GET.get("feedback") == "thanks",
        },
    )
    if entry.is_searchable:
        count_view(request, entry)
        if not log:
            # A published entry is the same for everyone (a click from a
            # search result is logged, so that one is not stored).
            pagecache.mark_public(response)
    return response


# What the entry page says after a rating, by outcome (the codes of
# ``check_rate_answer``): shown next to the question, not at the page's top.
FEEDBACK_NOTES = {
    "thanks": _("感谢您的评价，我们会据此改进答复。"),
    "duplicate": _("您已评价过这条答复，感谢您的反馈。"),
    "busy": _("评价过于频繁，请稍后再试。"),
    "too_long": _("意见最多 300 个字，请精简后再提交。"),
    "invalid": _("请选择“有帮助”或“没帮助”。"),
    "invalid_chars": _("意见中含有无法识别的字符，请删除后重试。"),
    "offline": _("该答复已下线，无法评价。"),
}


@csrf_exempt
@require_POST
def feedback(request, pk: int):
    """ "这个回答有帮助吗": records the rating and returns to the entry, whose
    feedback block says how it went.

    No CSRF token: the rating is anonymous (the client's address limits it,
    one per entry), nothing here reads the session, so a forged post can do
    nothing a direct one cannot; and a token in the form would set a cookie
    on the entry page, which the page cache then could not store (the most
    visited page of the knowledge base)."""
    entry = get_object_or_404(Entry, pk=pk)
    try:
        check_rate_answer(
            entry,
            request.POST.get("helpful", ""),
            request.POST.get("comment", "")[:2000],
            client=client_ip(request),
        )
    except FeedbackRefused as exc:
        outcome = exc.code or "invalid"
    else:
        outcome = "thanks"
    return redirect(f"{entry.get_absolute_url()}?feedback={outcome}#feedback")


@login_required
def console(request):
    return render(request, "kb/console.html", {})


@login_required
def console_search(request):
    """JSON for the console: hits with the full standard answer, to copy."""
    q = request.GET.get("q", "").strip()[:200]
    if not q:
        return JsonResponse(
            {
                "total": 0,
                "hits": [],
                "suggestion": None,
                "did_you_mean": None,
                "log": None,
            }
        )
    results = search_entries(
        q,
        limit=_int(request.GET.get("limit"), 10, 1, 30),
        channel=SearchLog.Channel.CONSOLE,
    )
    return JsonResponse(
        {
            "total": results.total,
            "suggestion": results.suggestion,
            "did_you_mean": results.did_you_mean,
            "log": results.log_id,
            "hits": [
                {
                    "id": h.id,
                    "title": h.title_html,
                    "snippet": h.snippet_html,
                    "unit": h.unit,
                    "answer": entry.answer,
                    "contact": entry.contact,
                    "url": h.url,
                }
                for h in results.hits
                # An entry deleted since the search read it is left out.
                if (entry := h.entry) is not None
            ],
        }
    )


@login_required
@require_POST
def console_click(request, log_id: str, pk: int):
    entry = get_object_or_404(Entry, pk=pk)
    do_log_click(log_id, entry)
    return JsonResponse({"ok": True})


def _dashboard_units(person):
    if person.is_superuser:
        return None
    units = managed_organisations(person, [Role.UNIT_ADMIN]).filter(maintains_kb=True)
    if not units.exists():
        raise PermissionDenied
    return list(units)


@login_required
def hot_questions(request):
    units = _dashboard_units(request.user)
    return render(
        request, "kb/dashboard.html", {"report": dashboard.build(units), "units": units}
    )


@login_required
def expiring(request):
    units = editable_units(request.user)
    if not request.user.is_superuser and not units.exists():
        raise PermissionDenied
    entries = (
        Entry.objects.owned_by(units)
        .filter(live=True)
        .expiring_within()
        .select_related("owner")
        .order_by("valid_until")
    )
    expired = (
        Entry.objects.owned_by(units)
        .filter(live=True)
        .expired()
        .select_related("owner")
        .order_by("-valid_until")[:50]
    )
    return render(request, "kb/expiring.html", {"entries": entries, "expired": expired})


def index(request):
    return redirect("kb:search")
