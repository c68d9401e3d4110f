"""The site's navigation and the city's name, shown on every public page."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from dangjian.portal.capabilities import CAPABILITIES

# The main sections, in the order of the navigation bar (the dashboard is for
# leaders and stays on "my page" and the home page's entries).
NAV_KEYS = (
    "study",
    "quiz",
    "disclosure",
    "kb",
    "experts",
    "voting",
    "outreach",
    "units",
)


@dataclass(frozen=True)
class NavLink:
    key: str
    title: str
    url: str


def nav_links() -> list[NavLink]:
    """The home page and each main section that has an address (one query:
    the units' index page)."""
    links = [NavLink("home", "首页", "/")]
    for capability in CAPABILITIES:
        if capability.key in NAV_KEYS and (url := capability.url):
            links.append(NavLink(capability.key, capability.title, url))
    return links


def current_key(path: str, links: list[NavLink]) -> str:
    """The section a path belongs to: the longest link that prefixes it."""
    best = ""
    best_len = 0
    for link in links:
        url = link.url
        if url == "/":
            if path == "/":
                return link.key
            continue
        if path.startswith(url) and len(url) > best_len:
            best, best_len = link.key, len(url)
    return best


def city_name() -> str:
    """The city the installation serves: ``DANGJIAN_CITY_NAME``, else the name
    of its people's government without "人民政府" (e.g. 乌海市)."""
    configured = getattr(settings, "DANGJIAN_CITY_NAME", "")
    if configured:
        return str(configured)
    from dangjian.orgs.models import Organisation

    government = (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT)
        .values_list("name", flat=True)
        .first()
    )
    return government.removesuffix("人民政府") if government else ""
