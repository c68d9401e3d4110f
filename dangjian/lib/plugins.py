"""What a capability hands to the aggregators, through Wagtail hooks.

``publicity``, ``stats`` and ``portal`` import no capability app (DESIGN.md
"Layout", STYLE.md rule 21). A capability registers in its own
``wagtail_hooks.py`` the objects below, and the aggregators loop over the
hooks. The shapes live here, in the foundation, because both sides use them
and neither may import the other. dangjian/README.md lists every hook.

* ``dangjian_publicity_sources`` returns a list of ``PublicitySource``.
* ``dangjian_participation_figures`` returns a list of ``ParticipationFigures``.
* ``dangjian_viewed_kinds`` returns a list of ``ViewedKind``.
* ``dangjian_quiz_results`` returns one ``QuizResults``-like object (quiz).
* ``dangjian_evaluation_results`` returns one object with
  ``scores(year) -> {person id: 0–100}``: the 民主评议 ratings of the year
  (orglife), read by study's assessment.
* ``dangjian_kb`` returns one ``KnowledgeBase``-like object (kb/interface.py):
  the console's search and draft entries proposed by tickets.
* ``dangjian_disclosure`` returns one ``Disclosure``-like object
  (disclosure/interface.py): ``accepts(unit)``, ``propose_item(unit, …)`` a
  draft 党务公开 item submitted to the release workflow (never published
  directly), ``item_status(id)``; orglife proposes its dues summary and a
  recruit's 公示 through it.
* ``dangjian_my_page_panels`` registers a function of the request that
  returns HTML or None (portal's "my page").
* ``dangjian_home_sections`` returns a list of ``PortalSection`` (the home
  page; public items only, the same for every visitor).
* ``dangjian_unit_page_sections`` is a function of an organisation returning a
  list of ``PortalSection`` (a unit's public page; public items only).
* ``dangjian_view_tags`` returns a list of ``ViewTag`` (who is told of views
  that arrived through a tagged share link, ``?from=<channel>.<tag>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.html import strip_tags
from django.utils.text import Truncator

from dangjian.lib.site import site_url

if TYPE_CHECKING:
    from django.http import HttpRequest

PUBLICITY_SOURCES = "dangjian_publicity_sources"
PARTICIPATION_FIGURES = "dangjian_participation_figures"
VIEWED_KINDS = "dangjian_viewed_kinds"
QUIZ_RESULTS = "dangjian_quiz_results"
EVALUATION_RESULTS = "dangjian_evaluation_results"
MY_PAGE_PANELS = "dangjian_my_page_panels"
HOME_SECTIONS = "dangjian_home_sections"
UNIT_PAGE_SECTIONS = "dangjian_unit_page_sections"
VIEW_TAGS = "dangjian_view_tags"
KNOWLEDGE_BASE = "dangjian_kb"
DISCLOSURE = "dangjian_disclosure"


def registered(hook_name: str) -> list[Any]:
    """Every object registered under a hook whose functions return lists."""
    from wagtail import hooks

    found: list[Any] = []
    for fn in hooks.get_hooks(hook_name):
        found.extend(fn() or ())
    return found


def provided(hook_name: str) -> Any:
    """The one object registered under a hook, or None when no app provides it."""
    from wagtail import hooks

    for fn in hooks.get_hooks(hook_name):
        value = fn()
        if value is not None:
            return value
    return None


# Publicity ------------------------------------------------------------------------


@dataclass
class Publication:
    """A releasable object as the publicity matrix sees it."""

    kind: str
    object_id: int
    is_public: bool
    title: str = ""
    summary: str = ""
    url: str = ""
    unit_id: int | None = None
    column_id: int | None = None
    column_name: str = ""
    expires_on: dt.date | None = None


@dataclass(frozen=True)
class PublicitySource:
    """One releasable kind of content.

    ``describe(obj)`` gives the ``Publication``; ``public()`` the queryset of
    objects public now (feeds re-check releases against it); ``is_public(obj)``
    the same rule for one object, without queries (asked on every page render
    for share cards). Both rules come from the owning model, written once.
    Releases follow Wagtail's signals for ``model``: ``page_published`` /
    ``page_unpublished`` for pages, ``published`` / ``unpublished`` for
    snippets with draft state, and ``post_delete``.
    """

    kind: str
    label: str
    model: type
    describe: Callable[[Any], Publication]
    public: Callable[[], Any]
    is_public: Callable[[Any], bool]


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """``path`` on the site's public address (``lib.site.site_url``)."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url(request) + path


def excerpt(text: str, length: int = 140) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).chars(length)


# Statistics -----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period a figure is computed for.

    ``start``/``end``: aware datetimes [start, end); ``first_day``/``last_day``:
    the same period as dates, both included; ``people``: ids of the members
    of the subtree the figures are for (some counts can only be linked to
    people, such as votes by a member's hash).
    """

    start: dt.datetime
    end: dt.datetime
    first_day: dt.date
    last_day: dt.date
    people: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class ParticipationFigures:
    """Participation metrics of one capability for the dashboards.

    ``count(window)`` returns ``{metric key: {id: count}}`` where the ids are
    people (``per="person"``: counted in each of the person's organisations
    and their ancestors, once) or organisations (``per="organisation"``:
    counted in the owner and its ancestors).
    """

    metrics: tuple[Metric, ...]
    per: str
    count: Callable[[Window], dict[str, dict[int, int]]]


@dataclass(frozen=True)
class ViewedKind:
    """A kind of object whose views are counted and listed by title.

    ``owned_by(organisations)``: ids of the objects owned by these
    organisations (a unit's dashboard counts only its own objects; None: the
    kind counts on the city's dashboards only).
    ``visible_ids(person, ids)``: of these ids, the objects the person may
    open; the title of any other one never reaches the person (see
    ``dangjian.orgs.scope.name_only_in_scope``). ``hidden_label`` names the
    anonymous line the others are folded into, with ``%(n)d``.
    """

    model: type
    owned_by: Callable[[Any], Iterable[int]] | None
    visible_ids: Callable[[Any, list[int]], set[int]]
    hidden_label: str = ""


# Portal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionItem:
    """One line of a portal section: a title, its address and a short note
    (a date, a unit, "进行中")."""

    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class PortalSection:
    """A block of the home page or of a unit's page, filled by a capability.

    Only what anyone may see goes in (released, 社会公开, open to the public):
    the portal shows the same sections to every visitor. ``order`` sorts the
    blocks; ``more_url`` links to the capability's own list.
    """

    key: str
    title: str
    items: tuple[SectionItem, ...]
    more_url: str = ""
    order: int = 100


def sections(hook_name: str, *args: Any) -> list[PortalSection]:
    """Every non-empty section the apps registered under a portal hook, in order."""
    from wagtail import hooks

    found: list[PortalSection] = []
    for fn in hooks.get_hooks(hook_name):
        found.extend(s for s in (fn(*args) or ()) if s.items)
    return sorted(found, key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class ViewTag:
    """Views that arrived through share links tagged ``<prefix><code>``.

    A share link may carry a tag after its channel: ``?from=wechat.grid12``
    counts in the ``wechat`` channel as any link does, and ``record(code,
    content_type_id, object_id, day)`` is told of each counted view whose tag
    starts with ``prefix`` (here ``code`` is ``"12"``). It runs in the
    request: keep it to an append (``lib.writebehind``).
    """

    prefix: str
    record: Callable[[str, int, int, dt.date], None]
