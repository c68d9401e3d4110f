"""Wagtail admin views for study beyond its viewsets (``viewsets.py``): the
unit admin's point correction form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from dangjian.orgs.models import Person, Role
from dangjian.orgs.scope import managed_organisations
from dangjian.study.actions import check_add_point_correction, correctable_people
from dangjian.study.models import PointEntry, PointRule


class CorrectionForm(forms.Form):
    """A correction to a member's points, written as a new ledger line."""

    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        queryset=None,
        label=_("人员"),
        error_messages={"invalid_choice": _("只能更正本单位党员的积分")},
    )
    rule = forms.ModelChoiceField(
        queryset=PointRule.objects.all(), label=_("积分项目"), empty_label=None
    )
    points = forms.IntegerField(
        label=_("更正分值"),
        help_text=_("加分填正数，扣分填负数，例如 -5"),
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，记入积分记录和操作日志"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.get_full_name() or p.username}（{p.username}）"
        )


def can_correct_points(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or managed_organisations(user, [Role.UNIT_ADMIN]).exists()
    )


class CorrectionMenuItem(MenuItem):
    def is_shown(self, request):
        return can_correct_points(request.user)


def correct_points(request):
    """The unit admin's form for a point correction (积分更正).

    The form only offers the unit's own members; the action checks again,
    so a forged person id is refused the same way.
    """
    if not can_correct_points(request.user):
        raise PermissionDenied
    people = correctable_people(request.user)
    if request.method == "POST":
        form = CorrectionForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = check_add_point_correction(
                    data["person"],
                    data["rule"],
                    data["points"],
                    data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                for field, errors in getattr(
                    exc, "message_dict", {"__all__": exc.messages}
                ).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except PermissionDenied as exc:
                form.add_error("person", str(exc))
            else:
                total = PointEntry.objects.for_person(entry.person).total()
                messages.success(
                    request,
                    _("已为 %(name)s 记入更正 %(points)+d 分，现累计 %(total)d 分。")
                    % {
                        "name": entry.person.get_full_name() or entry.person.username,
                        "points": entry.points,
                        "total": total,
                    },
                )
                return redirect("study_correct_points")
    else:
        initial = {}
        person = request.GET.get("person")
        if person and person.isdigit():
            initial["person"] = int(person)
        form = CorrectionForm(initial=initial, people=people)
    recent = (
        PointEntry.objects.filter(created_by__isnull=False, person__in=people)
        .select_related("person", "rule", "created_by")
        .order_by("-created_at", "-pk")[:20]
    )
    return TemplateResponse(
        request,
        "study/admin/correct_points.html",
        {"form": form, "recent": recent},
    )
