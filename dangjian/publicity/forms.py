from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from dangjian.lib.outbound import UnsafeURL, check_outbound_url
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations
from dangjian.publicity.models import Channel


class ChannelForm(WagtailAdminModelForm):
    """Unit admins pick one of their units; only platform admins make city-wide
    channels (no unit)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is not None and not user.is_superuser and "organisation" in self.fields:
            field = self.fields["organisation"]
            field.queryset = managed_organisations(user, [Role.UNIT_ADMIN])
            field.required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Channel.Kind.WEBHOOK:
            url = cleaned.get("url") or ""
            if not url:
                self.add_error("url", "Webhook 渠道须填写推送地址。")
            else:
                try:
                    check_outbound_url(url)
                except UnsafeURL as exc:
                    self.add_error("url", str(exc))
        if not cleaned.get("secret"):
            raise ValidationError({"secret": "签名密钥不能为空。"})
        return cleaned
