"""What grid workers and residents send, validated once for pages and the API."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.lib.keyed import normalise_mobile
from dangjian.lib.text import has_control_chars
from dangjian.outreach.models import MAX_HOUSEHOLDS, GridWorker, Push

MESSAGES = {
    "required": _("此项为必填项"),
    "invalid": _("格式不正确"),
    "max_value": _("不能大于 %(limit_value)s"),
    "min_value": _("不能小于 %(limit_value)s"),
    "max_length": _("不能超过 %(limit_value)d 个字"),
    "invalid_choice": _("请从列表中选择"),
}
# How far back a visit may be logged.
VISIT_DAYS_BACK = 60


def _no_control(value: str) -> str:
    if has_control_chars(value):
        raise ValidationError(_("含有不可见的控制字符，请删除后再提交"))
    # A form sent in another encoding (GBK) reaches Django as U+FFFD.
    if "\ufffd" in value:
        raise ValidationError(_("文字编码有误，请使用 UTF-8 提交"))
    return value


class GridChoiceMixin:
    """The ``grid`` field offers only the person's own grids."""

    fields: dict

    def set_grids(self, person: object) -> None:
        workers = GridWorker.objects.of(person).select_related("grid")
        choices = [(w.grid_id, str(w.grid)) for w in workers]
        self.fields["grid"].choices = choices
        if len(choices) == 1:
            self.fields["grid"].initial = choices[0][0]


class PushForm(GridChoiceMixin, forms.Form):
    grid = forms.TypedChoiceField(label=_("网格"), coerce=int, error_messages=MESSAGES)
    kind = forms.CharField(label=_("内容类型"), max_length=20, error_messages=MESSAGES)
    object_id = forms.IntegerField(
        label=_("内容"), min_value=1, max_value=2**63 - 1, error_messages=MESSAGES
    )
    channel = forms.ChoiceField(
        label=_("发到"),
        choices=Push.Channel.choices,
        initial=Push.Channel.WECHAT,
        error_messages=MESSAGES,
    )

    def __init__(self, *args: object, person: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.set_grids(person)

    def clean_kind(self) -> str:
        return _no_control(self.cleaned_data["kind"].strip())


class VisitForm(GridChoiceMixin, forms.Form):
    grid = forms.TypedChoiceField(label=_("网格"), coerce=int, error_messages=MESSAGES)
    day = forms.DateField(
        label=_("走访日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**MESSAGES, "invalid": _("日期格式不对（应为 YYYY-MM-DD）")},
    )
    households = forms.IntegerField(
        label=_("入户数"),
        min_value=1,
        max_value=MAX_HOUSEHOLDS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={**MESSAGES, "invalid": _("请输入整数")},
    )
    topics = forms.CharField(
        label=_("宣讲内容"), max_length=200, error_messages=MESSAGES
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=MESSAGES,
    )
    submission_key = forms.CharField(
        max_length=64, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: object, person: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.set_grids(person)
        self.fields["day"].initial = timezone.localdate()

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("走访日期不能晚于今天"))
        if day < today - dt.timedelta(days=VISIT_DAYS_BACK):
            raise ValidationError(
                _("只能登记 %(n)d 天以内的走访") % {"n": VISIT_DAYS_BACK}
            )
        return day

    def clean_topics(self) -> str:
        topics = _no_control(self.cleaned_data["topics"].strip())
        if not topics:
            raise ValidationError(_("请填写宣讲内容"))
        return topics

    def clean_note(self) -> str:
        return _no_control(self.cleaned_data["note"].strip())

    def clean_submission_key(self) -> str:
        return _no_control(self.cleaned_data["submission_key"].strip())


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={**MESSAGES, "invalid_choice": _("评分应为 1 到 5 分")},
    )
    comment = forms.CharField(
        label=_("意见建议（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=MESSAGES,
    )
    mobile = forms.CharField(
        label=_("手机号（选填，每个手机号限评一次）"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
        required=False,
        error_messages=MESSAGES,
    )

    def clean_comment(self) -> str:
        return _no_control(self.cleaned_data["comment"].strip())

    def clean_mobile(self) -> str:
        raw = self.cleaned_data["mobile"].strip()
        if not raw:
            return ""
        mobile = normalise_mobile(raw)
        if mobile is None:
            raise ValidationError(_("请输入 11 位手机号"))
        return mobile
