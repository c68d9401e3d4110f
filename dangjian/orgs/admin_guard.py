"""The admin's own views, kept to what a person may know of (issue 14).

Viewsets of unit-owned models are scoped by ``UnitScopedViewSetMixin``
(``permissions.py``). Wagtail also has views of its own that take any page or
object id and name the object before (or instead of) checking permissions:
the bulk-action confirmation pages list "items you have no permission for"
by title, the page move confirmation, workflow actions and previews,
site-wide reports, the admin API's documents. ``AdminReachMiddleware`` puts
one rule in front of all of them, by the shape of the URL rather than by
view, so a view added by a later Wagtail release is covered as well:

* a ``wagtailadmin_pages:*`` view whose URL names a page (``page_id``,
  ``parent_page_id``, ``page_to_move_id``, ``destination_id``) answers 403
  unless the person may explore that page (Wagtail's page permissions, which
  the role groups grant per unit section);
* a bulk action (``wagtail_bulk_action``) sees only the ids of objects the
  person may reach (``admin_reachable``): the others are dropped before the
  view lists them, and "all" becomes the reachable objects;
* the site-wide reports (every unit's history, workflows, tasks) are for
  superusers; ``UNIT_SAFE_REPORTS`` lists those Wagtail narrows to the
  person's own pages;
* a chooser's "chosen" view (any ``ChooserViewSet``: documents, images,
  snippets) answers 403 for an object the person may not reach, since it
  names the object by id without the chooser's narrowed listing;
* the admin API's documents endpoint lists only reachable documents.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.orgs.permissions import choosable, register_choice_scope

#: URL keyword arguments of the admin's page views that name a page.
PAGE_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")

#: Reports whose rows Wagtail narrows to pages the person has permissions on.
UNIT_SAFE_REPORTS = frozenset({"locked_pages", "aging_pages"})

ADMIN_PAGE_NAMESPACES = frozenset({"wagtailadmin_pages"})


def _is_staff_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def explorable_pages(user) -> QuerySet:
    """Pages the person may open in the admin: those their role groups hold
    permissions on, and the ancestors on the way to them."""
    from wagtail.models import Page
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if not _is_staff_user(user):
        return Page.objects.none()
    return PagePermissionPolicy().explorable_instances(user)


def admin_reachable(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the person may know of in the admin.

    Pages: those the person may explore. Other models: the rows the person
    may choose (``permissions.choosable``: the model's unit policy or its
    registered choice scope)."""
    from wagtail.models import Page

    if _is_staff_user(user) and user.is_superuser:
        return queryset
    if not _is_staff_user(user):
        return queryset.none()
    if issubclass(queryset.model, Page):
        return queryset.filter(pk__in=explorable_pages(user).values("pk"))
    return choosable(user, queryset)


# --- Documents -------------------------------------------------------------------


def documents_in_reach(user, queryset: QuerySet) -> QuerySet:
    """Documents a person may see in the admin: those they or a colleague of
    a unit they work for uploaded. Demo and superuser uploads stay out of
    unit staff's choosers; attachments are served by the pages' own rules."""
    from dangjian.orgs.models import Membership
    from dangjian.orgs.roles import STAFF_ROLES
    from dangjian.orgs.scope import managed_organisations

    units = managed_organisations(user, STAFF_ROLES)
    colleagues = Membership.objects.active().filter(
        organisation__in=units.values("pk"), role__in=list(STAFF_ROLES)
    )
    return queryset.filter(
        Q(uploaded_by_user=user)
        | Q(uploaded_by_user__in=colleagues.values("person_id"))
    )


def register_document_scope() -> None:
    from wagtail.documents import get_document_model

    register_choice_scope(get_document_model(), documents_in_reach)


# --- People ------------------------------------------------------------------------


def people_in_reach(user, queryset: QuerySet) -> QuerySet:
    """People a unit's staff may pick in a form (a release plan's recipients,
    a session's participants, an expert's account, a grid worker...): the
    person themself, the people of the organisations they manage, with
    their subtrees, and accounts that belong to no organisation yet. Another
    unit's people are not listed by name; bringing someone in from another
    unit is a transfer (members) or a platform admin's task."""
    from dangjian.orgs.models import Membership
    from dangjian.orgs.roles import STAFF_ROLES
    from dangjian.orgs.scope import managed_organisations

    units = managed_organisations(user, STAFF_ROLES)
    members = Membership.objects.active().filter(organisation__in=units.values("pk"))
    placed = Membership.objects.active().values("person_id")
    # A new account in no organisation yet may be brought in (an expert's
    # account, a new member before the roster names their branch).
    return queryset.filter(
        Q(pk=user.pk) | Q(pk__in=members.values("person_id")) | ~Q(pk__in=placed)
    )


def register_people_scope() -> None:
    from django.contrib.auth import get_user_model

    register_choice_scope(get_user_model(), people_in_reach)


# --- The middleware ------------------------------------------------------------------


def _check_pages(user, kwargs) -> None:
    from wagtail.models import Page

    named = [kwargs[name] for name in PAGE_KWARGS if kwargs.get(name) is not None]
    if not named:
        return
    try:
        ids = {int(i) for i in named}
    except (TypeError, ValueError):
        raise Http404 from None
    reachable = set(
        admin_reachable(user, Page.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    if reachable != ids:
        raise PermissionDenied


def _narrow_bulk_ids(request, kwargs) -> None:
    """Keeps in ``request.GET["id"]`` only the objects the person may reach."""
    try:
        model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
    except (KeyError, LookupError):
        raise Http404 from None
    ids = request.GET.getlist("id")
    queryset = model._default_manager.all()
    if "all" in ids:
        parent = request.GET.get("childOf")
        if parent:
            try:
                queryset = queryset.filter(
                    pk__in=model._default_manager.get(pk=int(parent))
                    .get_children()
                    .values("pk")
                )
            except (ValueError, TypeError, AttributeError, model.DoesNotExist):
                raise Http404 from None
    else:
        try:
            queryset = queryset.filter(pk__in=[int(i) for i in ids])
        except (TypeError, ValueError):
            raise Http404 from None
    reachable = [
        str(pk)
        for pk in admin_reachable(request.user, queryset).values_list("pk", flat=True)
    ]
    query = request.GET.copy()
    query.setlist("id", reachable)
    request.GET = query


def _chooser_model(view_func):
    """The model of a chooser's "chosen" (or "chosen multiple") view, else None."""
    from wagtail.admin.views.generic.chooser import (
        ChosenMultipleViewMixin,
        ChosenViewMixin,
    )
    from wagtail.coreutils import resolve_model_string

    view_class = getattr(view_func, "view_class", None)
    if not (
        isinstance(view_class, type)
        and issubclass(view_class, (ChosenViewMixin, ChosenMultipleViewMixin))
    ):
        return None
    model = getattr(view_func, "view_initkwargs", {}).get("model") or getattr(
        view_class, "model", None
    )
    return resolve_model_string(model) if model else None


def _check_chosen(request, model, kwargs) -> None:
    """A chosen object must be reachable; chosen-multiple ids are narrowed."""
    queryset = model._default_manager.all()
    pk = kwargs.get("pk")
    if pk is not None:
        try:
            found = admin_reachable(request.user, queryset.filter(pk=pk)).exists()
        except (TypeError, ValueError):
            found = False
        if not found:
            raise PermissionDenied
        return
    ids = request.GET.getlist("id")
    try:
        reachable = admin_reachable(request.user, queryset.filter(pk__in=ids))
        kept = [str(pk) for pk in reachable.values_list("pk", flat=True)]
    except (TypeError, ValueError):
        raise Http404 from None
    query = request.GET.copy()
    query.setlist("id", kept)
    request.GET = query


class AdminReachMiddleware:
    """Applies this module's rules to the admin's views (see the docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or not _is_staff_user(user) or user.is_superuser:
            return None
        namespaces = set(match.namespaces)
        chooser_model = _chooser_model(view_func)
        if chooser_model is not None:
            _check_chosen(request, chooser_model, view_kwargs)
        elif namespaces & ADMIN_PAGE_NAMESPACES:
            _check_pages(user, view_kwargs)
        elif match.url_name == "wagtail_bulk_action":
            _narrow_bulk_ids(request, view_kwargs)
        elif "wagtailadmin_reports" in namespaces:
            report = (match.url_name or "").removesuffix("_results")
            if report not in UNIT_SAFE_REPORTS:
                raise PermissionDenied
        return None


def hide_site_wide_reports(request, menu_items) -> None:
    """The reports menu offers a non-superuser only the unit-safe reports."""
    if request.user.is_superuser:
        return
    menu_items[:] = [
        item
        for item in menu_items
        if (getattr(item, "name", "") or "").replace("-", "_") in UNIT_SAFE_REPORTS
    ]


def scoped_documents_api(router) -> None:
    """The admin API's documents endpoint, narrowed like the choosers."""
    from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet

    class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
        def get_queryset(self):
            return admin_reachable(self.request.user, super().get_queryset())

    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
