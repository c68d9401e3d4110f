"""The figures of the dashboards, the API and the Excel downloads.

Each function returns plain rows (dicts) so that a page, a JSON answer and a
spreadsheet show the same numbers. Figures are computed from the raw records
of the other apps (stats may read them; DESIGN.md "Layout").

Roll-up through the organisation tree:

* Figures about people (materials read, videos watched, quiz attempts, votes)
  count a person's activity in every organisation the person belongs to and
  in all of their ancestors, once per organisation: a person with two roles
  in one unit counts once for that unit.
* Figures about things owned by an organisation (sessions, attendances,
  releases, knowledge entries, expert questions) count in the owner and in
  all of its ancestors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dangjian.orgs.models import Membership, Organisation
from dangjian.stats.models import Channel, DailyViews

PERIOD_KINDS = {"day": "日", "week": "周", "month": "月", "year": "年"}

METRICS = [
    ("materials_read", "学习资料学完"),
    ("videos_watched", "视频看完"),
    ("sessions_held", "学习会召开"),
    ("attendances", "学习会出席人次"),
    ("quiz_attempts", "答题参与人次"),
    ("votes", "党员投票"),
    ("releases_due", "例行发布应发"),
    ("releases_on_time", "例行发布按时"),
    ("kb_entries", "知识条目"),
    ("kb_current", "知识条目在有效期内"),
    ("questions", "企业提问"),
    ("questions_in_time", "按时答复"),
]
METRIC_LABELS = dict(METRICS)


# Periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # included

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start:%Y-%m-%d}"
        if self.kind == "week":
            return f"{self.start:%Y-%m-%d}至{self.end:%m-%d}"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes [start, end) in the site's time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(
            self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz
        )
        return start, end

    def previous(self) -> Period:
        return period_for(self.kind, self.start - dt.timedelta(days=1))


def period_for(kind: str, day: dt.date) -> Period:
    """The period of this kind that contains the day."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, start, following - dt.timedelta(days=1))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"未知的统计周期：{kind}（可选 day、week、month、year）")


def parse_period(kind: str | None, day: str | None) -> Period:
    """A period from request parameters; ValueError with a Chinese message."""
    kind = kind or "month"
    if kind not in PERIOD_KINDS:
        raise ValueError(f"未知的统计周期：{kind}（可选 day、week、month、year）")
    if day:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"日期格式不对：{day}（应为 YYYY-MM-DD）") from None
    else:
        when = timezone.localdate()
    return period_for(kind, when)


def recent_periods(period: Period, n: int) -> list[Period]:
    """The n periods ending with this one, oldest first."""
    periods = [period]
    while len(periods) < n:
        periods.append(periods[-1].previous())
    return list(reversed(periods))


# The tree -------------------------------------------------------------------------


class Tree:
    """Organisations by id and path, for rolling counts up to ancestors."""

    def __init__(self):
        rows = Organisation.objects.values_list("id", "path", "depth", "name")
        self.by_id = {pk: (path, depth, name) for pk, path, depth, name in rows}
        self.by_path = {path: pk for pk, (path, _d, _n) in self.by_id.items()}
        self.steplen = Organisation.steplen

    def lineage(self, org_id: int) -> list[int]:
        """The organisation and all of its ancestors."""
        path = self.by_id[org_id][0]
        return [
            self.by_path[path[:i]]
            for i in range(self.steplen, len(path) + 1, self.steplen)
            if path[:i] in self.by_path
        ]

    def subtree(self, root: Organisation) -> list[int]:
        return [
            pk
            for pk, (path, _d, _n) in sorted(self.by_id.items(), key=lambda i: i[1][0])
            if path.startswith(root.path)
        ]


def _roll_up_orgs(tree: Tree, counts: dict[int, int]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for org_id, n in counts.items():
        if org_id in tree.by_id:
            for pk in tree.lineage(org_id):
                total[pk] += n
    return total


def _person_orgs(tree: Tree) -> dict[int, set[int]]:
    """Each person's organisations with all their ancestors."""
    reach: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in Membership.objects.active().values_list(
        "person_id", "organisation_id"
    ):
        reach[person_id].update(tree.lineage(org_id))
    return reach


def _roll_up_people(reach, counts: dict[int, int]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for person_id, n in counts.items():
        for pk in reach.get(person_id, ()):
            total[pk] += n
    return total


# Raw counts by person or organisation, one query each --------------------------


def _study_by_person(start, end, video: bool) -> dict[int, int]:
    from dangjian.study.models import MaterialPage, Progress

    rows = Progress.objects.filter(completed_at__gte=start, completed_at__lt=end)
    if video:
        rows = rows.filter(material__kind=MaterialPage.Kind.VIDEO)
    else:
        rows = rows.exclude(material__kind=MaterialPage.Kind.VIDEO)
    return dict(rows.values_list("person_id").annotate(n=Count("id")))


def _sessions_by_org(start, end) -> tuple[dict[int, int], dict[int, int]]:
    from dangjian.study.models import StudySession

    sessions = StudySession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    held = dict(sessions.values_list("organisation_id").annotate(n=Count("id")))
    attended = dict(
        sessions.values_list("organisation_id").annotate(n=Count("attendances"))
    )
    return held, attended


def _quiz_by_person(start, end) -> dict[int, int]:
    from dangjian.quiz.models import Attempt

    rows = Attempt.objects.finished().filter(
        submitted_at__gte=start, submitted_at__lt=end
    )
    return dict(rows.values_list("person_id").annotate(n=Count("id")))


def _votes_by_person(start, end, person_ids) -> dict[int, int]:
    """Votes cast by members while logged in (their voter hash is derived
    from the person id; votes by mobile number cannot be linked to a member)."""
    from dangjian.voting.identity import member_hash
    from dangjian.voting.models import Vote

    by_hash = {member_hash(pk): pk for pk in person_ids}
    if not by_hash:
        return {}
    result: dict[int, int] = {}
    hashes = list(by_hash)
    for i in range(0, len(hashes), 500):
        rows = (
            Vote.objects.counted()
            .filter(
                cast_at__gte=start, cast_at__lt=end, voter_hash__in=hashes[i : i + 500]
            )
            .values_list("voter_hash")
            .annotate(n=Count("id"))
        )
        for voter, n in rows:
            result[by_hash[voter]] = n
    return result


def _releases_by_org(period: Period) -> tuple[dict[int, int], dict[int, int]]:
    """Routine releases due in the period (up to today) and those released by
    the end of their due day."""
    from dangjian.disclosure.calendar import periods
    from dangjian.disclosure.models import DisclosureItemPage, ReleasePlan

    today = timezone.localdate()
    last = min(period.end, today)
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    if last < period.start:
        return due, on_time
    plans = list(ReleasePlan.objects.filter(is_active=True))
    released = {}
    for plan_id, key, first in DisclosureItemPage.objects.filter(
        release_plan__in=plans, first_published_at__isnull=False
    ).values_list("release_plan_id", "plan_period", "first_published_at"):
        day = timezone.localdate(first)
        if (plan_id, key) not in released or day < released[(plan_id, key)]:
            released[(plan_id, key)] = day
    for plan in plans:
        for key, _label, _first, due_day in periods(plan, period.start, last):
            due[plan.organisation_id] += 1
            day = released.get((plan.pk, key))
            if day is not None and day <= due_day:
                on_time[plan.organisation_id] += 1
    return due, on_time


def _kb_by_org(period: Period) -> tuple[dict[int, int], dict[int, int]]:
    from dangjian.kb.models import Entry

    day = min(period.end, timezone.localdate())
    live = Entry.objects.filter(live=True)
    entries = dict(live.values_list("owner_id").annotate(n=Count("id")))
    current = dict(live.valid_on(day).values_list("owner_id").annotate(n=Count("id")))
    return entries, current


def _questions_by_org(start, end) -> tuple[dict[int, int], dict[int, int]]:
    """Questions submitted in the period, by the unit of the expert they went
    to; in time when first answered by their due time."""
    from django.db.models import F

    from dangjian.experts.models import Question

    rows = Question.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end, expert__isnull=False
    )
    asked = dict(rows.values_list("expert__unit_id").annotate(n=Count("id")))
    in_time = dict(
        rows.filter(first_answered_at__isnull=False, first_answered_at__lte=F("due_at"))
        .values_list("expert__unit_id")
        .annotate(n=Count("id"))
    )
    return asked, in_time


# Public figures ---------------------------------------------------------------------


def participation(root: Organisation, period: Period, *, depth: int | None = None):
    """One row per organisation of the subtree under ``root`` (root first, in
    tree order): every metric of METRICS for the period, rolled up.

    ``depth`` limits the rows to that many levels below the root (1: the
    root's children); counts always include the whole subtree.
    """
    tree = Tree()
    start, end = period.bounds()
    reach = _person_orgs(tree)
    subtree = tree.subtree(root)
    members = {p for p, orgs in reach.items() if root.pk in orgs}
    figures = {
        "materials_read": _roll_up_people(reach, _study_by_person(start, end, False)),
        "videos_watched": _roll_up_people(reach, _study_by_person(start, end, True)),
        "quiz_attempts": _roll_up_people(reach, _quiz_by_person(start, end)),
        "votes": _roll_up_people(reach, _votes_by_person(start, end, members)),
    }
    held, attended = _sessions_by_org(start, end)
    figures["sessions_held"] = _roll_up_orgs(tree, held)
    figures["attendances"] = _roll_up_orgs(tree, attended)
    due, on_time = _releases_by_org(period)
    figures["releases_due"] = _roll_up_orgs(tree, due)
    figures["releases_on_time"] = _roll_up_orgs(tree, on_time)
    entries, current = _kb_by_org(period)
    figures["kb_entries"] = _roll_up_orgs(tree, entries)
    figures["kb_current"] = _roll_up_orgs(tree, current)
    asked, in_time = _questions_by_org(start, end)
    figures["questions"] = _roll_up_orgs(tree, asked)
    figures["questions_in_time"] = _roll_up_orgs(tree, in_time)
    people = _roll_up_people(reach, {p: 1 for p in reach})

    rows = []
    for pk in subtree:
        path, level, name = tree.by_id[pk]
        below = level - root.depth
        if depth is not None and below > depth:
            continue
        parent = tree.by_path.get(path[: -tree.steplen]) if below else None
        row = {
            "org_id": pk,
            "org": name,
            "parent_id": parent,
            "level": below,
            "people": people.get(pk, 0),
        }
        for key, _label in METRICS:
            row[key] = figures[key].get(pk, 0)
        rows.append(row)
    return rows


def participation_trend(root: Organisation, period: Period, n: int = 12):
    """The root's figures for the n periods ending with ``period``."""
    rows = []
    for each in recent_periods(period, n):
        row = participation(root, each, depth=0)[0]
        rows.append({"period": each.label, "start": each.start, **row})
    return rows


def unit_ranking(root: Organisation, period: Period, metric: str = "materials_read"):
    """The root's direct children ranked by one metric (then by name)."""
    if metric not in METRIC_LABELS:
        raise ValueError(f"未知的指标：{metric}")
    rows = [r for r in participation(root, period, depth=1) if r["level"] == 1]
    rows.sort(key=lambda r: (-r[metric], r["org"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _objects_in(root: Organisation) -> Q | None:
    """A filter of DailyViews rows for objects owned by the subtree: disclosure
    items of its units and study materials of its sections. None for the
    whole city (no filter)."""
    if root.is_root():
        return None
    from wagtail.models import Page

    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.study.models import MaterialPage, StudySectionPage

    orgs = Organisation.objects.filter(path__startswith=root.path)
    items = DisclosureItemPage.objects.filter(subject_unit__in=orgs).values_list(
        "pk", flat=True
    )
    condition = Q(
        content_type=ContentType.objects.get_for_model(DisclosureItemPage),
        object_id__in=list(items),
    )
    sections = StudySectionPage.objects.filter(organisation__in=orgs)
    material_ids = []
    for section in sections:
        material_ids += list(
            Page.objects.descendant_of(section)
            .type(MaterialPage)
            .values_list("pk", flat=True)
        )
    condition |= Q(
        content_type=ContentType.objects.get_for_model(MaterialPage),
        object_id__in=material_ids,
    )
    return condition


def _views(root: Organisation, period: Period):
    rows = DailyViews.objects.between(period.start, period.end)
    condition = _objects_in(root)
    return rows.filter(condition) if condition is not None else rows


def views_by_day(root: Organisation, period: Period):
    """Views and visitors per day of the period (days without views included)."""
    found = {
        day: (views, visitors)
        for day, views, visitors in _views(root, period)
        .values_list("day")
        .annotate(v=Sum("views"), u=Sum("visitors"))
        .values_list("day", "v", "u")
    }
    rows = []
    day = period.start
    while day <= period.end:
        views, visitors = found.get(day, (0, 0))
        rows.append({"day": day, "views": views, "visitors": visitors})
        day += dt.timedelta(days=1)
    return rows


def views_by_channel(root: Organisation, period: Period):
    found = dict(
        _views(root, period)
        .values_list("channel")
        .annotate(v=Sum("views"))
        .values_list("channel", "v")
    )
    return [
        {"channel": value, "label": str(label), "views": found.get(value, 0)}
        for value, label in Channel.choices
    ]


def top_objects(root: Organisation, period: Period, limit: int = 20):
    """The most viewed objects of the period with their titles."""
    rows = list(
        _views(root, period)
        .values("content_type_id", "object_id")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "object_id")[:limit]
    )
    for row in rows:
        model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
        obj = (
            model._default_manager.filter(pk=row["object_id"]).first()
            if model
            else None
        )
        row["title"] = str(obj) if obj is not None else "（已删除）"
        row["kind"] = str(model._meta.verbose_name) if model else ""
    return rows


# Named figures: one table each, for pages, the API and Excel -----------------------

FIGURES = {
    "participation": (
        "各组织参与情况",
        [("org", "组织"), ("level", "层级"), ("people", "人数"), *METRICS],
    ),
    "ranking": (
        "单位排名",
        [("rank", "名次"), ("org", "单位"), ("people", "人数"), *METRICS],
    ),
    "trend": ("参与趋势", [("period", "期间"), ("people", "人数"), *METRICS]),
    "views-daily": (
        "每日浏览",
        [("day", "日期"), ("views", "浏览量"), ("visitors", "访客数")],
    ),
    "views-channel": ("浏览渠道", [("label", "渠道"), ("views", "浏览量")]),
    "top": (
        "热门内容",
        [
            ("title", "标题"),
            ("kind", "类型"),
            ("views", "浏览量"),
            ("visitors", "访客数"),
        ],
    ),
}


def figure(
    name: str, root: Organisation, period: Period, metric: str = "materials_read"
):
    """The rows of a named figure; ValueError for an unknown name."""
    if name == "participation":
        return participation(root, period)
    if name == "ranking":
        return unit_ranking(root, period, metric)
    if name == "trend":
        return participation_trend(root, period)
    if name == "views-daily":
        return views_by_day(root, period)
    if name == "views-channel":
        return views_by_channel(root, period)
    if name == "top":
        return top_objects(root, period)
    raise ValueError(f"未知的统计图表：{name}")
