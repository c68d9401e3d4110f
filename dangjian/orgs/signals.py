"""Cached API tokens are dropped as soon as a token or its person changes,
so a revocation or a deactivated account takes effect on the next request."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import APIToken, Site

from dangjian.lib.site import forget_site_url, forget_sites
from dangjian.orgs.actions import forget_token
from dangjian.orgs.models import Person

post_save.connect(forget_site_url, sender=Site, dispatch_uid="forget_site_url_save")
post_delete.connect(forget_site_url, sender=Site, dispatch_uid="forget_site_url_delete")
post_save.connect(forget_sites, sender=Site, dispatch_uid="forget_sites_save")
post_delete.connect(forget_sites, sender=Site, dispatch_uid="forget_sites_delete")


@receiver(post_save, sender=APIToken)
@receiver(post_delete, sender=APIToken)
def _forget_changed_token(sender, instance, **kwargs):
    forget_token(instance.key_hash)


@receiver(post_save, sender=Person)
def _forget_tokens_of_changed_person(sender, instance, created, **kwargs):
    if created:
        return
    for key_hash in APIToken.objects.filter(user=instance).values_list(
        "key_hash", flat=True
    ):
        forget_token(key_hash)
