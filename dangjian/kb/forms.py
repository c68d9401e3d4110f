from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from dangjian.kb.permissions import editable_units


class EntryForm(WagtailAdminModelForm):
    """The owner can only be one of the editor's own units."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "owner" in self.fields:
            units = editable_units(for_user)
            self.fields["owner"].queryset = units.order_by("path")
            if units.count() == 1 and not self.instance.pk:
                self.fields["owner"].initial = units.first()

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("失效日期不能早于生效日期。"))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "CSV（UTF-8 或 GBK）、Excel（.xlsx）或 JSONL；第一行为列名：事项名称、群众问法、答复口径、责任单位……"
        ),
    )
