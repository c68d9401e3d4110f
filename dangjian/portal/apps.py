from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dangjian.portal"
    label = "portal"
    verbose_name = "门户"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from dangjian.portal.capabilities import forget_page_urls

        def on_page_change(sender, **kwargs):
            if issubclass(sender, Page):
                forget_page_urls()

        post_save.connect(on_page_change, weak=False, dispatch_uid="portal-urls-save")
        post_delete.connect(on_page_change, weak=False, dispatch_uid="portal-urls-del")
        page_published.connect(forget_page_urls, dispatch_uid="portal-urls-pub")
        page_unpublished.connect(forget_page_urls, dispatch_uid="portal-urls-unpub")
