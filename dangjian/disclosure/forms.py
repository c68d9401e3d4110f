"""Admin and public forms of the disclosure column."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.forms import TaskStateCommentForm

from dangjian.disclosure.permissions import narrow_to_choosable_items
from dangjian.orgs.models import Organisation

PERIOD_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$")


def check_item_values(
    *,
    scope: str,
    audience_count: int,
    is_emergency: bool,
    go_live_at,
    release_plan,
    plan_period: str,
    previously_released: bool,
    content_changed: bool,
    correction_note: str,
) -> dict[str, str]:
    """Returns field errors (in Chinese) for an item's values; empty when valid."""
    errors: dict[str, str] = {}
    if scope == "internal" and audience_count == 0:
        errors["audience"] = "党内公开事项须选择至少一个公开对象组织。"
    if scope == "public" and audience_count:
        errors["audience"] = "社会公开事项不设党内公开对象，请清空所选组织。"
    if is_emergency and go_live_at:
        errors["go_live_at"] = "紧急发布在批准后立即发布，不能设置定时发布时间。"
    if plan_period and not PERIOD_RE.match(plan_period):
        errors["plan_period"] = "期次格式应为 2026、2026-11、2026-Q4 或 2026-H2。"
    if release_plan is not None and not plan_period:
        errors["plan_period"] = "选择了例行发布计划时须填写期次。"
    if previously_released and content_changed and not correction_note.strip():
        errors["correction_note"] = "修改已发布的事项须填写更正说明，发布后公开显示。"
    return errors


class DisclosureItemForm(WagtailAdminPageForm):
    """Limits the audience to the unit's own organisations and checks the rules."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        unit = getattr(getattr(parent_page, "specific", None), "organisation", None)
        if unit is None and self.instance.subject_unit_id:
            unit = self.instance.subject_unit
        if unit is not None and "audience" in self.fields:
            self.fields["audience"].queryset = Organisation.objects.filter(
                path__startswith=unit.path, is_active=True
            )
            if not self.instance.pk:
                self.initial.setdefault("audience", [])
        if unit is not None and "release_plan" in self.fields:
            self.fields["release_plan"].queryset = self.fields[
                "release_plan"
            ].queryset.filter(organisation=unit, is_active=True)
        if "interprets" in self.fields:
            # The form's model (DisclosureItemPage), which imports this module.
            qs = type(self.instance).objects.released()
            if self.instance.pk:
                qs = qs.exclude(pk=self.instance.pk)
            # Only items the person may see or works on: another unit's 党内
            # items out of their scope are refused, and so never shown.
            self.fields["interprets"].queryset = narrow_to_choosable_items(
                getattr(self, "for_user", None), qs
            )

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        previously_released = bool(instance.pk and instance.first_published_at)
        content_changed = previously_released and any(
            name in self.changed_data for name in ("title", "body", "summary")
        )
        errors = check_item_values(
            scope=cleaned.get("scope") or "",
            audience_count=len(cleaned.get("audience") or []),
            is_emergency=bool(cleaned.get("is_emergency")),
            go_live_at=cleaned.get("go_live_at"),
            release_plan=cleaned.get("release_plan"),
            plan_period=cleaned.get("plan_period") or "",
            previously_released=previously_released,
            content_changed=content_changed,
            correction_note=cleaned.get("correction_note") or "",
        )
        for field, message in errors.items():
            if field in self.fields:
                self.add_error(field, message)
            else:
                self.add_error(None, message)
        return cleaned


class FlagDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("publishable", "可以公开"), ("redact", "须删改")],
        widget=forms.RadioSelect,
        label="结论",
    )
    reason = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.TextInput
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == "redact"
            and not cleaned.get("reason", "").strip()
        ):
            raise ValidationError("选择“须删改”时请写明原因。")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写理由。"},
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise ValidationError("请填写理由。")
        return value


class RejectCommentForm(TaskStateCommentForm):
    """A rejection returns the item to the editor, always with a reason."""

    comment = forms.CharField(
        label="退回理由",
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "退回时请写明理由。"},
    )
