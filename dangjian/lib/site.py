"""The site's home page, found without importing the portal app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wagtail.models import Page


def home_page() -> Page | None:
    """The root page of Wagtail's default Site (the portal's home page), or
    None when there is no default site or its root is still Wagtail's bare
    placeholder page (no home page has been made yet)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page")
    site = site.first()
    if site is None:
        return None
    root = site.root_page.specific
    if type(root) is Page:
        return None
    return root
