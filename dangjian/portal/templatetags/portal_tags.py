"""The site navigation, rendered by base.html on every public page."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.portal.navigation import current_key, nav_links

register = template.Library()


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def site_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    links = nav_links()
    path = request.path if request is not None else ""
    return {"links": links, "current": current_key(path, links)}
