"""Every route of the URL map, with its parameters filled from the sweep's city.

``walk()`` reads the URL map (``get_resolver()``, which includes the ninja API
and every Wagtail admin view, viewset, snippet and chooser registered through
hooks). ``targets(city)`` turns each route into concrete URLs: a parameter is
filled from ``PARAMS`` (by name, or by route and name) or from the object the
view serves (``model`` of the view: the sweep's unit-A object of that model,
else any object of it). A route that cannot be filled must be in ``SKIP``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Routes the sweep cannot fill, by pattern, with the reason. Keep it small: a
# route missing from here that the sweep cannot fill fails the sweep.
SKIP = {
    # Wagtail's deliberate error page ("This is a test of the emergency
    # broadcast system"): it raises by design.
    "admin/failwhale/": "raises on purpose",
    # Password-reset confirmation: the token is a per-user secret; Django's own
    # tests cover it, and it shows no content.
    "admin/password_reset/confirm/<uidb64>/<token>/": "per-user reset token",
    # Editing sessions belong to the person pinging them; there is no content.
    "admin/editing-sessions/ping/<str:app_label>/<str:model_name>/<str:object_id>/"
    "<int:session_id>/": "needs the persona's own editing session",
    "admin/editing-sessions/release/<int:session_id>/": "needs the persona's own "
    "editing session",
    # Multiple-upload temporary files exist only during an upload.
    "admin/documents/multiple/create_from_uploaded_document/<int:uploaded_file_id>/": (
        "temporary upload"
    ),
    "admin/documents/multiple/delete_upload/<int:uploaded_file_id>/": "temporary upload",
    "admin/images/multiple/create_from_uploaded_image/<int:uploaded_file_id>/": (
        "temporary upload"
    ),
    "admin/images/multiple/delete_upload/<int:uploaded_file_id>/": "temporary upload",
    # The product sets no password view restrictions on pages or collections.
    "documents/authenticate_with_password/<int:restriction_id>/": "no password "
    "restrictions in the product",
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": (
        "no password restrictions in the product"
    ),
}

# Names of routes that only read: everything else under /admin/ with an
# object in its URL is also POSTed to (edit, publish, delete, copy, move …).
READ_ONLY = re.compile(
    r"(history|usage|inspect|results|index|list|choose|chosen|view|preview|compare"
    r"|explore|find|detail|listing|report|type_use|revisions_index|workflow_history"
    r"|generate_url|url_generator|select_format|sprite|jsi18n)"
)


# Listings, searches and choosers are also asked for the sentinels: words of
# their bodies, the markers' common prefix (admin searches match parts of
# words) and unit A's id as a filter.
SEARCHABLE = re.compile(r"(search|index|list|choose|results|items|console|hot|top|^$)")
QUERIES = ("q=红旗渠精神", "q=sntl", "q=草稿&unit={unit}&org={unit}&scope=internal")


@dataclass
class Route:
    key: str  # the full pattern, as in SKIP
    name: str  # namespaced URL name ("" when unnamed)
    parts: list  # the pattern of each level, outermost first
    callback: object
    params: list[str]
    converters: dict = field(default_factory=dict)

    @property
    def model(self):
        initkwargs = getattr(self.callback, "view_initkwargs", None) or {}
        model = initkwargs.get("model")
        if model is None:
            model = getattr(getattr(self.callback, "view_class", None), "model", None)
        return model if isinstance(model, type) else None

    @property
    def short_name(self) -> str:
        return self.name.rsplit(":", 1)[-1]


@dataclass
class Target:
    url: str
    route: Route
    obj: object = None  # the object the URL points at, if any
    post: bool = False


def walk(resolver=None, parts=(), namespaces=()):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        here = (*parts, pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from walk(pattern, here, ns)
            continue
        assert isinstance(pattern, URLPattern)
        params, converters = [], {}
        for part in here:
            if isinstance(part, RoutePattern):
                params += list(part.converters)
                converters.update(part.converters)
            else:
                regex = part.regex
                params += list(regex.groupindex) or [
                    f"_{i}" for i in range(regex.groups)
                ]
        yield Route(
            key="".join(str(p) for p in here),
            name=":".join([*namespaces, pattern.name or ""]) if pattern.name else "",
            parts=list(here),
            callback=pattern.callback,
            params=params,
            converters=converters,
        )


_GROUP = re.compile(r"\(\?P<(\w+)>")


def _fill_regex(text: str, values: dict) -> str:
    """Replaces the named groups of a regex with values, then drops anchors."""
    out, i = [], 0
    while True:
        match = _GROUP.search(text, i)
        if match is None:
            out.append(text[i:])
            break
        out.append(text[i : match.start()])
        depth, j = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if text[j] == "\\":
                j += 1
            j += 1
        out.append(str(values[match.group(1)]))
        i = j
    result = "".join(out)
    if "(" in result:
        raise KeyError("unnamed group")
    return result.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\-", "-")


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def build(route: Route, values: dict) -> str:
    url = ""
    for part in route.parts:
        if isinstance(part, RoutePattern):
            url += _PARAM.sub(lambda m: str(values[m.group(2)]), str(part))
        elif isinstance(part, RegexPattern):
            url += _fill_regex(str(part), values)
    return "/" + url


# --- Parameter values ------------------------------------------------------------


def _revision_values(obj):
    """revision_id and friends for an object with revisions (page or snippet)."""
    latest = getattr(obj, "latest_revision_id", None)
    if latest is None and hasattr(obj, "revisions"):
        revision = obj.revisions.order_by("-pk").first()
        latest = revision.pk if revision else None
    return latest


def _workflow_values(obj) -> dict | None:
    from wagtail.models import WorkflowState

    state = (
        WorkflowState.objects.for_instance(obj).order_by("-pk").first()
        if obj is not None
        else None
    )
    if state is None:
        return None
    values = {"workflow_state_id": state.pk}
    if state.current_task_state_id:
        values["task_state_id"] = state.current_task_state_id
        values["task_id"] = state.current_task_state.task_id
    return values


def object_values(obj) -> dict:
    """Every parameter an object can fill."""
    values = {"pk": obj.pk, "object_id": obj.pk}
    revision = _revision_values(obj)
    if revision is not None:
        values["revision_id"] = revision
    values["revision_id_a"] = "earliest"
    values["revision_id_b"] = "latest"
    values.update(_workflow_values(obj) or {})
    values["action_name"] = "approve"
    return values


PAGE_PARAMS = {"page_id", "page_to_move_id", "page_pk"}
DOCUMENT_PARAMS = {"document_id", "doc_id"}


def targets(city, routes=None) -> tuple[list[Target], list[Route]]:
    """Concrete URLs for every route; also returns the routes it could not fill."""
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import Collection, Page, Task, Workflow

    filled: list[Target] = []
    unfilled: list[Route] = []
    for route in routes if routes is not None else walk():
        if route.key in SKIP:
            continue
        try:
            found = list(_targets_for(city, route, Page, Document, Image, Task))
        except KeyError:
            found = []
        if not found:
            unfilled.append(route)
        filled += found
    del Collection, Workflow
    return filled, unfilled


def _pages(city):
    return [city.a_internal, city.a_draft, city.a_study, city.public_item]


def _generic(city, route):
    """Values that do not depend on the object."""
    import datetime as dt

    from wagtail.models import Collection, Task, Workflow

    from dangjian.disclosure.models import DisclosureItemPage

    item_ct = DisclosureItemPage._meta
    return {
        "parent_page_id": city.disclosure_a.pk,
        "destination_id": city.disclosure_b.pk,
        "content_type_app_name": item_ct.app_label,
        "content_type_model_name": item_ct.model_name,
        "app_label": item_ct.app_label,
        "model_name": item_ct.model_name,
        "app_name": "wagtaildocs",
        "collection_id": Collection.get_first_root_node().pk,
        "workflow_pk": Workflow.objects.filter(active=True).order_by("pk").first().pk,
        "filter_spec": "original",
        "image_id": city.image.pk,
        "redirect_id": city.redirect.pk,
        "task_id": Task.objects.order_by("pk").first().pk,
        "token": city.public_question.token,
        "attempt_id": city.attempt.pk,
        "contest_id": city.contests["a"].pk,
        "campaign_id": city.campaigns["a"].pk,
        "candidate_id": city.candidate.pk,
        "reading_id": city.reading.pk,
        "org_id": city.unit_a.pk,
        "unit_id": city.unit_a.pk,
        "person_id": city.member.pk,
        "year": dt.date.today().year,
        "item_id": city.a_internal.pk,
        "task_state_id": _workflow_values(city.a_draft)["task_state_id"],
        "slug": city.templates["a"].slug,
        "column_id": city.disclosure_column.pk,
        "fmt": "xlsx",
        "log_id": "1",
        "attachment_pk": city.expert_attachment.pk,
        "notification_id": city.notification_a.pk,
        "profile_id": city.profile_a.pk,
        "transfer_id": city.transfer_a.pk,
        "letter_id": city.letter_a.pk,
        "event_id": city.outreach["a_hidden"].pk,
        "ticket_id": city.tickets["a"].pk,
    }


# Several values for one parameter: each gives its own URL.
def _multi(city, route) -> dict[str, list]:
    from dangjian.publicity.models import Release
    from dangjian.stats.figures import FIGURE_NAMES

    name = route.name
    multi = {}
    if name.startswith("api:") or name.startswith("disclosure:"):
        multi["item_id"] = [city.a_internal.pk, city.a_draft.pk, city.b_internal.pk]
    multi["campaign_id"] = [city.campaigns["a"].pk, city.campaigns["a_draft"].pk]
    multi["kind"] = (
        list(Release.Kind.values)
        if name.startswith("publicity:")
        else ["contest", "template"]
    )
    multi["name"] = list(FIGURE_NAMES)
    multi["fmt"] = ["xlsx", "csv"]
    multi["parent_page_id"] = [city.disclosure_a.pk, city.study_a.pk]
    # Member records: every account action and transfer step.
    multi["action"] = ["disable", "enable", "reset"]
    multi["step"] = ["approve", "accept", "refuse", "cancel"]
    return multi


# Objects behind `pk` for views whose model attribute is missing or not the
# object of the URL, by URL-name prefix.
def _pk_objects(city, route, Page, Document, Image, Task):
    from wagtail.models import Workflow

    name = route.name
    by_name = {
        "wagtailadmin_pages:revisions_compare": _pages(city),
        "wagtailadmin_api:pages:": _pages(city),
        "wagtailadmin_api:documents:": city.documents,
        "wagtailadmin_api:images:": [city.image],
        "wagtaildocs_chooser:": city.documents,
        "wagtaildocs:": city.documents,
        "wagtailimages_chooser:": [city.image],
        "wagtailimages:": [city.image],
        "wagtailadmin_workflows:edit_task": list(Task.objects.all()[:1]),
        "wagtailadmin_workflows:disable_task": list(Task.objects.all()[:1]),
        "wagtailadmin_workflows:enable_task": list(Task.objects.all()[:1]),
        "wagtailadmin_workflows:": list(Workflow.objects.filter(active=True)[:1]),
        "experts:track-attachment": [city.expert_attachment],
        "experts:inbox": [city.expert_question],
        "disclosure:press": [city.press_a, city.press_a_draft],
        "study:session": [city.session_a],
        "study:spot-check": [city.spot_check_a],
        "quiz:stats-detail": [city.contests["a"]],
        "kb:": [city.entries["a"], city.kb_draft],
        "publicity_retry": list(city.deliveries),
        "notify:open": [city.notification_a, city.notification_b],
        "outreach:": [city.outreach["a"], city.outreach["a_hidden"]],
        "orglife:recruit": [city.orglife["a_recruit"], city.orglife["b_recruit"]],
        "orglife:document": [city.orglife["a_document"], city.orglife["b_document"]],
        "orglife:": [city.orglife["a"], city.orglife["b"]],
        "tickets:": [city.tickets["a"]],
    }
    for prefix, objects in by_name.items():
        if name.startswith(prefix):
            return objects
    model = route.model
    if model is None:
        return []
    if issubclass(model, Page):
        return _pages(city)
    mine = [o for o in city.tracked if isinstance(o, model)]
    if mine:
        return mine
    if issubclass(model, Document):
        return city.documents
    first = model._default_manager.order_by("pk").first()
    return [first] if first is not None else []


def _targets_for(city, route, Page, Document, Image, Task):
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    name = route.name
    params = set(route.params)
    # POSTed to: admin views that act on one of the city's objects, and the
    # product's own acting views (withdraw, vote review, delivery retry).
    post = route.key.startswith("admin/") and not READ_ONLY.search(route.short_name)
    post = post or name in {"disclosure:withdraw", "voting_review"}

    # Routes built by hand.
    if name == "wagtail_serve":
        for page in Page.objects.filter(depth__gt=1).specific():
            url = page.get_url()
            if url:
                yield Target(url, route, page)
        return
    if name == "wagtaildocs_serve":
        for doc in city.documents:
            yield Target(f"/documents/{doc.pk}/{doc.filename}", route, doc)
        return
    if route.key.startswith("^media/") or route.key.startswith("media/"):
        for path in city.media_paths():
            yield Target(path, route)
        return
    if name == "wagtail_bulk_action":
        bulk_action_registry._scan_for_bulk_actions()
        pool = city.tracked + city.documents + [city.image]
        for app_label, models in bulk_action_registry.actions.items():
            for model_name, actions in models.items():
                if (app_label, model_name) == ("wagtailcore", "page"):
                    objects = _pages(city)
                else:
                    objects = [
                        o
                        for o in pool
                        if (o._meta.app_label, o._meta.model_name)
                        == (app_label, model_name)
                    ]
                if not objects:
                    continue
                ids = "&".join(f"id={o.pk}" for o in objects)
                for action in actions:
                    url = f"/admin/bulk/{app_label}/{model_name}/{action}/?{ids}"
                    yield Target(url, route, objects[0], post=True)
        return
    if name.startswith("wagtailsettings:"):
        from wagtail.contrib.settings.registry import registry

        # With no settings model registered, an unknown one: the view answers 404.
        pairs = [(m._meta.app_label, m._meta.model_name) for m in registry] or [
            ("wagtailcore", "site")
        ]
        for app_name, model_name in pairs:
            values = {"app_name": app_name, "model_name": model_name, "pk": 1}
            yield Target(build(route, values), route, None, post=post)
        return
    if not params:
        url = build(route, {})
        yield Target(url, route, None, post=False)
        if SEARCHABLE.search(route.short_name) or route.key.startswith("api/"):
            for query in QUERIES:
                query = query.format(unit=city.unit_a.pk)
                yield Target(f"{url}?{query}", route, None, post=False)
        return
    if set(params) == {"_0"} or not all(p[0] != "_" for p in params):
        if route.key.endswith("^.*/$"):  # the admin's catch-all
            yield Target("/admin/sweep-unknown-page/", route)
        return

    generic = _generic(city, route)
    multi = _multi(city, route)
    needs_object = params & ({"pk", "revision_id", "object_id"} | PAGE_PARAMS)
    needs_object |= params & DOCUMENT_PARAMS
    if name.startswith("wagtailadmin_pages:") and "parent_page_id" in params:
        needs_object = set()
    if needs_object:
        if params & PAGE_PARAMS:
            objects = _pages(city)
        elif params & DOCUMENT_PARAMS:
            objects = city.documents
        else:
            objects = _pk_objects(city, route, Page, Document, Image, Task)
        for obj in objects:
            values = {**generic, **object_values(obj)}
            for p in PAGE_PARAMS | DOCUMENT_PARAMS:
                values[p] = obj.pk
            if not params <= set(values) | set(multi):
                continue
            for url in _expand(route, values, multi, params - needs_object):
                yield Target(url, route, obj, post=post)
        return
    if not params <= set(generic) | set(multi):
        return
    # Adding a page below unit A's section acts on the section.
    parent = city.disclosure_a if "parent_page_id" in params else None
    for url in _expand(route, generic, multi, params):
        yield Target(url, route, parent, post=post and parent is not None)


def _expand(route, values, multi, free):
    urls = [dict(values)]
    for param in sorted(free):
        if param in multi:
            urls = [{**u, param: v} for u in urls for v in multi[param]]
    seen = set()
    for u in urls:
        url = build(route, u)
        if url not in seen:
            seen.add(url)
            yield url
