"""Demo site pages: the home page at the site root and one page per unit."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from dangjian.lib.demo import DemoContext
from dangjian.orgs.models import Organisation
from dangjian.orgs.roles import grant_units_pages
from dangjian.portal.models import HomePage, UnitIndexPage, UnitPage


def ensure_home() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's placeholder "Welcome" page gives way to the home page
        # (its Site row goes with it and is recreated below).
        placeholder_type = ContentType.objects.get_for_model(Page)
        for placeholder in Page.objects.filter(depth=2, content_type=placeholder_type):
            placeholder.delete()
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="党建云",
                slug="home",
                intro="学习、答题、党务公开、12345 知识库、政策专员、投票，一站办理。",
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="党建云",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


def ensure_unit_pages(home: HomePage) -> int:
    index = UnitIndexPage.objects.first()
    if index is None:
        index = home.add_child(instance=UnitIndexPage(title="单位", slug="units"))
    have = set(UnitPage.objects.values_list("organisation_id", flat=True))
    new_pages = []
    for org in Organisation.objects.units():
        if org.pk in have:
            continue
        page = index.add_child(
            instance=UnitPage(title=org.name, slug=org.name, organisation=org)
        )
        new_pages.append((org, page))
    grant_units_pages(new_pages)
    return len(new_pages)


def load(ctx: DemoContext) -> str:
    home = ensure_home()
    created = ensure_unit_pages(home)
    return f"首页与单位主页（新增 {created}）"
