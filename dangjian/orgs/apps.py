from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from dangjian.orgs import checks, signals  # noqa: F401
