"""The figures of the dashboards, the API and the Excel downloads.

Each function returns plain rows (dicts) so that a page, a JSON answer and a
spreadsheet show the same numbers. Stats imports no capability app: each
capability registers its counts through the ``dangjian_participation_figures``
hook and its viewed objects through ``dangjian_viewed_kinds`` (see
dangjian/lib/plugins.py and dangjian/README.md); this module rolls them up.

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
from django.db.models import Q, Sum
from django.utils import timezone

from dangjian.lib import plugins
from dangjian.orgs.models import Membership, Organisation
from dangjian.orgs.scope import name_only_in_scope
from dangjian.stats.models import Channel, DailyViews

PERIOD_KINDS = {"day": "日", "week": "周", "month": "月", "year": "年"}
HIDDEN_LABEL = "范围外的内容 %(n)d 项"


def _figure_sets() -> list[plugins.ParticipationFigures]:
    return plugins.registered(plugins.PARTICIPATION_FIGURES)


def metrics() -> list[tuple[str, str]]:
    """(key, label) of every registered participation metric, in their order."""
    found = [m for figures in _figure_sets() for m in figures.metrics]
    return [(m.key, m.label) for m in sorted(found, key=lambda m: (m.order, m.key))]


def metric_labels() -> dict[str, str]:
    return dict(metrics())


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


# Public figures ---------------------------------------------------------------------


#: The id of the whole city's row (the figures of every tree), which has no
#: organisation of its own: a city has several roots (the party committee,
#: the government, districts, public utilities …).
CITY_ID = 0
CITY_NAME = "全市（全部组织体系）"


def participation(
    root: Organisation | None, period: Period, *, depth: int | None = None
):
    """One row per organisation of the subtree under ``root`` (root first, in
    tree order): every registered metric for the period, rolled up.

    ``root=None`` is the whole city: a first row (``CITY_ID``) with every
    tree's figures, each person counted once, then every tree below it.
    ``depth`` limits the rows to that many levels below the root (1: the
    root's children); counts always include the whole subtree.
    """
    tree = Tree()
    start, end = period.bounds()
    reach = _person_orgs(tree)
    if root is None:
        subtree = [pk for pk, _row in sorted(tree.by_id.items(), key=lambda i: i[1][0])]
        members = set(reach)
        base_depth = 0
    else:
        subtree = tree.subtree(root)
        members = {p for p, orgs in reach.items() if root.pk in orgs}
        base_depth = root.depth
    window = plugins.Window(
        start=start,
        end=end,
        first_day=period.start,
        last_day=period.end,
        people=frozenset(members),
    )
    figures: dict[str, dict[int, int]] = {}
    city: dict[str, int] = {}
    for figure_set in _figure_sets():
        counts = figure_set.count(window)
        for metric in figure_set.metrics:
            raw = counts.get(metric.key, {})
            if figure_set.per == "person":
                figures[metric.key] = _roll_up_people(reach, raw)
                city[metric.key] = sum(n for pk, n in raw.items() if pk in reach)
            else:
                figures[metric.key] = _roll_up_orgs(tree, raw)
                city[metric.key] = sum(n for pk, n in raw.items() if pk in tree.by_id)
    people = _roll_up_people(reach, {p: 1 for p in reach})

    rows = []
    if root is None:
        rows.append(
            {
                "org_id": CITY_ID,
                "org": CITY_NAME,
                "parent_id": None,
                "level": 0,
                "people": len(members),
                **{key: city.get(key, 0) for key, _label in metrics()},
            }
        )
    for pk in subtree:
        path, level, name = tree.by_id[pk]
        below = level - base_depth
        if depth is not None and below > depth:
            continue
        if root is None and below == 1:
            parent: int | None = CITY_ID
        else:
            parent = tree.by_path.get(path[: -tree.steplen]) if below else None
        row = {
            "org_id": pk,
            "org": name,
            "parent_id": parent,
            "level": below,
            "people": people.get(pk, 0),
        }
        for key, _label in metrics():
            row[key] = figures.get(key, {}).get(pk, 0)
        rows.append(row)
    return rows


def participation_trend(root: Organisation | None, period: Period, n: int = 12):
    """The root's figures for the n periods ending with ``period``."""
    rows = []
    for each in recent_periods(period, n):
        row = participation(root, each, depth=0)[0]
        rows.append({"period": each.label, "start": each.start, **row})
    return rows


def unit_ranking(
    root: Organisation | None, period: Period, metric: str = "materials_read"
):
    """The root's direct children ranked by one metric (then by name)."""
    if metric not in metric_labels():
        raise ValueError(f"未知的指标：{metric}")
    rows = [r for r in participation(root, period, depth=1) if r["level"] == 1]
    rows.sort(key=lambda r: (-r[metric], r["org"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _viewed_kinds() -> dict[type, plugins.ViewedKind]:
    return {kind.model: kind for kind in plugins.registered(plugins.VIEWED_KINDS)}


def _objects_in(root: Organisation | None) -> Q | None:
    """A filter of DailyViews rows for objects owned by the subtree, as the
    capabilities define ownership (``ViewedKind.owned_by``). None for the
    whole city (no filter)."""
    if root is None or root.is_root():
        return None
    orgs = Organisation.objects.filter(path__startswith=root.path)
    condition = Q(pk__in=[])
    for model, kind in _viewed_kinds().items():
        if kind.owned_by is None:
            continue
        condition |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(kind.owned_by(orgs)),
        )
    return condition


def _views(root: Organisation | None, period: Period):
    rows = DailyViews.objects.between(period.start, period.end)
    condition = _objects_in(root)
    return rows.filter(condition) if condition is not None else rows


def views_by_day(root: Organisation | None, period: Period):
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


def views_by_channel(root: Organisation | None, period: Period):
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


def _visible_pages(person, ids: list[int]) -> set[int]:
    """Pages of a kind no capability registered: those anyone may open."""
    from wagtail.models import Page

    return set(
        Page.objects.live().public().filter(pk__in=ids).values_list("pk", flat=True)
    )


def top_objects(root: Organisation | None, period: Period, limit: int = 20, *, person):
    """The most viewed objects of the period with their titles, for one person.

    Views of every object count, but an object the person may not open (a
    党内 item outside their scope, a restricted material) is named only as
    part of one anonymous line per kind (``name_only_in_scope``).
    """
    from wagtail.models import Page

    rows = list(
        _views(root, period)
        .values("content_type_id", "object_id")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "object_id")[:limit]
    )
    kinds = _viewed_kinds()
    by_type: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_type[row["content_type_id"]].append(row["object_id"])
    visible: set[tuple[int, int]] = set()
    labels: dict[str, str] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        kind = kinds.get(model) if model is not None else None
        if kind is not None:
            seen = kind.visible_ids(person, ids)
            labels[str(type_id)] = kind.hidden_label or HIDDEN_LABEL
        elif model is not None and issubclass(model, Page):
            seen = _visible_pages(person, ids)
        else:
            seen = set()
        visible |= {(type_id, pk) for pk in seen}
    for row in rows:
        model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
        obj = None
        if model is not None and (row["content_type_id"], row["object_id"]) in visible:
            obj = model._default_manager.filter(pk=row["object_id"]).first()
        row["title"] = str(obj) if obj is not None else "（已删除）"
        row["kind"] = str(model._meta.verbose_name) if model else ""
    return name_only_in_scope(
        rows,
        lambda row: (row["content_type_id"], row["object_id"]) in visible,
        group=lambda row: str(row["content_type_id"]),
        hidden_label=lambda group, n: labels.get(group, HIDDEN_LABEL) % {"n": n},
        sums=("views", "visitors"),
        hide_keys=("object_id",),
    )


# Named figures: one table each, for pages, the API and Excel -----------------------

VIEW_FIGURES = {
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
FIGURE_NAMES = ("participation", "ranking", "trend", *VIEW_FIGURES)


def figure_table(name: str) -> tuple[str, list[tuple[str, str]]]:
    """(title, columns) of a named figure; KeyError for an unknown name."""
    if name == "participation":
        return "各组织参与情况", [
            ("org", "组织"),
            ("level", "层级"),
            ("people", "人数"),
            *metrics(),
        ]
    if name == "ranking":
        return "单位排名", [
            ("rank", "名次"),
            ("org", "单位"),
            ("people", "人数"),
            *metrics(),
        ]
    if name == "trend":
        return "参与趋势", [("period", "期间"), ("people", "人数"), *metrics()]
    return VIEW_FIGURES[name]


def figure(
    name: str,
    root: Organisation | None,
    period: Period,
    metric: str = "materials_read",
    *,
    person,
):
    """The rows of a named figure for one person; ValueError for an unknown name."""
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
        return top_objects(root, period, person=person)
    raise ValueError(f"未知的统计图表：{name}")
