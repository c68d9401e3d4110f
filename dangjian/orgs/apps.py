from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织与人员"

    def ready(self):
        # dangjian.lib is not an app (its demo.py is the loader, not a demo):
        # the foundation's app registers lib's system checks too.
        from dangjian.lib import checks as lib_checks  # noqa: F401
        from dangjian.lib import pagecache
        from dangjian.orgs import checks, signals  # noqa: F401

        # Stored public pages go stale when content changes (lib/pagecache.py).
        pagecache.connect()
