"""Public column, feed, sitemap, export, and the mobile review desk.

Every read goes through ``DisclosureItemPage.objects.visible_to(request.user)``;
responses that depend on the person are marked private.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from wagtail.models import TaskState

from dangjian.disclosure import actions
from dangjian.disclosure.calendar import calendar_for
from dangjian.disclosure.dashboard import waiting_rows
from dangjian.disclosure.forms import FlagDecisionForm, ReasonForm
from dangjian.disclosure.models import (
    ConfidentialityReviewTask,
    DisclosureCategory,
    DisclosureItemPage,
    ReleasePlan,
    ScanFlag,
    UnitApprovalTask,
)
from dangjian.disclosure.search import search_items
from dangjian.lib import pagecache
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations

PAGE_SIZE = 20


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10**9 else None


def _filters(request) -> dict:
    return {
        "unit": _int(request.GET.get("unit")),
        "category": _int(request.GET.get("category")),
        "year": _int(request.GET.get("year")),
        "q": (request.GET.get("q") or "").strip()[:100],
        "page": _int(request.GET.get("page")) or 1,
    }


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"
    return response


def index(request):
    """The column: by unit, category and year, with full-text search. For an
    anonymous visitor it holds public items only: a public page
    (``dangjian.lib.pagecache``; any personal cookie bypasses the cache)."""
    f = _filters(request)
    response = render(request, "disclosure/index.html", _column_context(request, f))
    if request.user.is_authenticated:
        return _private(response)
    return pagecache.mark_public(response)


def _column_context(request, f) -> dict:
    visible = DisclosureItemPage.objects.visible_to(request.user)
    units = Organisation.objects.filter(
        pk__in=visible.values("subject_unit_id")
    ).order_by("path")
    categories = DisclosureCategory.objects.filter(pk__in=visible.values("category_id"))
    years = sorted(
        {
            y
            for y in visible.annotate(y=ExtractYear("first_published_at"))
            .values_list("y", flat=True)
            .distinct()
            if y
        },
        reverse=True,
    )
    snippets = {}
    if f["q"]:
        total, results = search_items(
            request.user,
            f["q"],
            unit=f["unit"],
            category=f["category"],
            year=f["year"],
            limit=PAGE_SIZE,
            offset=(f["page"] - 1) * PAGE_SIZE,
        )
        items = [r.item for r in results]
        snippets = {r.item.pk: r.snippet for r in results}
        page_obj = None
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    else:
        qs = visible
        if f["unit"]:
            qs = qs.filter(subject_unit_id=f["unit"])
        if f["category"]:
            qs = qs.filter(category_id=f["category"])
        if f["year"]:
            qs = qs.filter(first_published_at__year=f["year"])
        qs = qs.select_related("subject_unit", "category").order_by(
            "-first_published_at", "-pk"
        )
        paginator = Paginator(qs, PAGE_SIZE)
        page_obj = paginator.get_page(f["page"])
        items = list(page_obj.object_list)
        total = paginator.count
        pages = paginator.num_pages
    for item in items:
        item.snippet_html = snippets.get(item.pk, "")
    query = {k: v for k, v in f.items() if v and k != "page"}
    return {
        "items": items,
        "total": total,
        "units": units,
        "categories": categories,
        "years": years,
        "f": f,
        "page_number": f["page"],
        "pages": pages,
        "prev_url": (
            "?" + urlencode({**query, "page": f["page"] - 1}) if f["page"] > 1 else None
        ),
        "next_url": (
            "?" + urlencode({**query, "page": f["page"] + 1})
            if f["page"] < pages
            else None
        ),
        "feed_url": reverse("disclosure:feed"),
    }


class PublicItemsFeed(Feed):
    """Atom feed of 社会公开 items only: a feed is public by nature."""

    feed_type = Atom1Feed
    title = "党务公开"
    subtitle = "社会公开事项"
    description_template = None

    def link(self):
        return reverse("disclosure:index")

    def items(self):
        return (
            DisclosureItemPage.objects.public()
            .select_related("subject_unit", "category")
            .order_by("-first_published_at")[:50]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or ""

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.category.name, item.subject_unit.name]


# Public items only, the same for everyone: a public page.
feed = pagecache.public_page(PublicItemsFeed())


class PublicItemsSitemap(Sitemap):
    def items(self):
        return DisclosureItemPage.objects.public().order_by("pk")

    def location(self, item):
        return item.url

    def lastmod(self, item):
        return item.last_published_at


@pagecache.public_page
def sitemap(request):
    return sitemap_view(request, {"disclosure": PublicItemsSitemap()})


def export_csv(request):
    """The items the person may see, as CSV (UTF-8 with BOM, for Excel)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="disclosure.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["编号", "标题", "公开主体", "类别", "范围", "方式", "发布时间", "链接"]
    )
    for item in (
        DisclosureItemPage.objects.visible_to(request.user)
        .select_related("subject_unit", "category")
        .order_by("-first_published_at")
    ):
        writer.writerow(
            [
                item.pk,
                item.title,
                item.subject_unit.name,
                item.category.name,
                item.get_scope_display(),
                item.get_method_display(),
                timezone.localtime(item.first_published_at).strftime("%Y-%m-%d %H:%M"),
                request.build_absolute_uri(item.url),
            ]
        )
    return _private(response)


# --- Mobile review desk (保密审查 and 审批 from a phone) ----------------------


@login_required
def review_list(request):
    return _private(
        render(
            request, "disclosure/review_list.html", {"rows": waiting_rows(request.user)}
        )
    )


@login_required
def review_detail(request, task_state_id: int):
    state = get_object_or_404(TaskState, pk=task_state_id).specific
    task = state.task.specific
    item = DisclosureItemPage.objects.filter(
        pk=_int(state.workflow_state.object_id)
    ).first()
    if (
        item is None
        or not isinstance(task, ConfidentialityReviewTask | UnitApprovalTask)
        or not task.user_can_act(item, request.user)
    ):
        raise Http404
    content = state.revision.as_object()
    if request.method == "POST":
        return _review_post(request, state, item)
    flags = list(
        ScanFlag.objects.filter(page=item, revision=state.revision).select_related(
            "decided_by"
        )
    )
    context = {
        "state": state,
        "task": task,
        "item": item,
        "content": content,
        "attachments": list(content.attachments.all()),
        "flags": flags,
        "is_review": isinstance(task, ConfidentialityReviewTask),
        "open": state.status == TaskState.STATUS_IN_PROGRESS,
        "blocking": sum(1 for f in flags if f.decision != "publishable"),
        "timeline": actions.timeline(item),
        "reason_form": ReasonForm(),
    }
    return _private(render(request, "disclosure/review_detail.html", context))


def _review_post(request, state, item):
    action = request.POST.get("action")
    here = reverse("disclosure:review-detail", args=[state.pk])
    try:
        if action == "decide":
            flag = get_object_or_404(
                ScanFlag, pk=_int(request.POST.get("flag")), page=item
            )
            form = FlagDecisionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    [e for errors in form.errors.values() for e in errors]
                )
            actions.do_decide_flag(
                flag,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data.get("reason", ""),
                acting_user=request.user,
            )
            messages.success(request, "已记录对该标记的结论。")
            return redirect(f"{here}#flag-{flag.pk}")
        if action in ("approve", "reject"):
            comment = (request.POST.get("reason") or "").strip()
            actions.do_task_action(
                state, action=action, comment=comment, acting_user=request.user
            )
            messages.success(
                request, "已通过。" if action == "approve" else "已退回编辑，并附理由。"
            )
            return redirect("disclosure:review")
        raise ValidationError("未知操作。")
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(getattr(exc, "messages", None) or [str(exc)])
        messages.error(request, text)
        return redirect(here)


# --- Withdrawal and the release calendar --------------------------------------


@login_required
def withdraw(request, page_id: int):
    item = get_object_or_404(DisclosureItemPage, pk=page_id)
    if not actions.can_withdraw(item, request.user):
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_withdraw_item(
                item, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已撤回，事项页显示撤回说明。")
            return redirect("disclosure:index")
    return _private(
        render(request, "disclosure/withdraw.html", {"item": item, "form": form})
    )


@login_required
def release_calendar(request):
    units = managed_organisations(
        request.user, [Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER]
    )
    plans = ReleasePlan.objects.filter(is_active=True).filter(
        organisation__in=units
    ) | ReleasePlan.objects.filter(is_active=True, owner=request.user)
    if not plans.exists() and not units.exists():
        raise PermissionDenied
    rows = calendar_for(plans.distinct())
    return _private(
        render(
            request,
            "disclosure/calendar.html",
            {"rows": rows, "late": [r for r in rows if r.is_late]},
        )
    )
