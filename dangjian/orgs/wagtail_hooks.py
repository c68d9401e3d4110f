from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.orgs import admin_guard, admin_home
from dangjian.orgs.permissions import choosable, choosable_pages
from dangjian.orgs.views_admin import OrgsViewSetGroup
from dangjian.orgs.views_axes import register_lockout_urls  # noqa: F401 (its hooks)

admin_guard.register_document_scope()
admin_guard.register_people_scope()


@hooks.register("register_admin_viewset")
def register_orgs_viewsets():
    return OrgsViewSetGroup()


@hooks.register("register_log_actions")
def register_orgs_log_actions(actions):
    actions.register_action("dangjian.role.grant", _("授予角色"), _("授予角色"))
    actions.register_action("dangjian.role.revoke", _("撤销角色"), _("撤销角色"))


@hooks.register("construct_page_chooser_queryset")
def narrow_page_chooser(pages, request):
    """Every page chooser (browse and search) offers only the pages each page
    model's choice scope lets the person pick (``register_choice_scope``)."""
    return choosable_pages(request.user, pages)


@hooks.register("construct_document_chooser_queryset")
def narrow_document_chooser(documents, request):
    return choosable(request.user, documents)


# After wagtail.documents' own registration, which it replaces.
hooks.register("construct_admin_api", admin_guard.scoped_documents_api, order=100)
hooks.register("construct_reports_menu", admin_guard.hide_site_wide_reports)

# The admin's home and menus for a unit's staff (admin_home.py): their roles
# instead of site-wide counts, no Wagtail help menu. Late, after Wagtail's own.
hooks.register("construct_main_menu", admin_home.prune_main_menu)
hooks.register("construct_help_menu", admin_home.prune_help_menu)
hooks.register(
    "construct_homepage_summary_items", admin_home.unit_summary_items, order=100
)


@hooks.register("insert_global_admin_css")
def admin_branding_css():
    return format_html('<link rel="stylesheet" href="{}">', static("orgs/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_branding_js():
    """Accessible names Wagtail leaves out (orgs/admin.js)."""
    return format_html('<script src="{}" defer></script>', static("orgs/admin.js"))
