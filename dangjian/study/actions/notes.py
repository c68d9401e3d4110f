"""心得体会: writing one earns the note's points."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.study.actions.points import do_award_points
from dangjian.study.models import Note, PointRule


def check_write_note(person, title: str, body: str, material=None) -> Note:
    title = (title or "").strip()
    body = (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写标题")
    elif len(title) > 100:
        errors["title"] = _("标题不能超过 100 字")
    if len(body) < 10:
        errors["body"] = _("心得内容至少 10 个字")
    elif len(body) > 10000:
        errors["body"] = _("心得内容不能超过 10000 字")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = Note.objects.create(
            person=person, title=title, body=body, material=material
        )
        do_award_points(
            person, PointRule.Kind.NOTE_WRITTEN, source=f"note:{note.pk}", label=title
        )
    return note
