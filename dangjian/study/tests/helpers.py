"""A study column with materials, a video and a plan on top of the test city."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files import File
from django.utils import timezone
from wagtail.models import Collection, Locale, Page

from dangjian.portal.demo import ensure_home
from dangjian.study import actions
from dangjian.study.models import (
    MaterialPage,
    PlanItem,
    PointRule,
    Reading,
    StudyPlan,
    Topic,
    Video,
)
from dangjian.test import BaseTestCase, PrivateFilesMixin

MEDIA = Path(__file__).resolve().parents[1] / "demo_media"
BODY = "<p>" + "坚持以人民为中心的发展思想。" * 20 + "</p>"


class StudyTestCase(PrivateFilesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        if Page.get_first_root_node() is None:
            # Only under --nomigrations: Wagtail's migrations make these.
            Locale.objects.get_or_create(language_code="zh-hans")
            Page.add_root(instance=Page(title="Root", slug="root"))
            Collection.add_root(name="Root")
        cls.home = ensure_home()
        cls.column = actions.do_ensure_column(cls.home)
        cls.section_a = actions.do_ensure_section(cls.unit_a, cls.column)
        cls.section_b = actions.do_ensure_section(cls.unit_b, cls.column)
        cls.topic = Topic.objects.create(name="二十大报告")
        cls.article = cls.make_material("学习二十大报告", slug="a1")
        cls.public_article = cls.make_material(
            "公开的学习资料", slug="a2", visibility=MaterialPage.Visibility.PUBLIC
        )
        cls.video_file = Video(title="短视频")
        with (MEDIA / "demo-video.webm").open("rb") as handle:
            cls.video_file.file.save("demo.webm", File(handle), save=False)
        with (MEDIA / "demo-poster.png").open("rb") as handle:
            cls.video_file.poster_file.save("poster.png", File(handle), save=False)
        cls.video_file.save()
        cls.video = cls.make_material(
            "微党课",
            slug="v1",
            kind=MaterialPage.Kind.VIDEO,
            video=cls.video_file,
            visibility=MaterialPage.Visibility.PLAN,
            body="",
        )
        today = timezone.localdate()
        cls.plan = StudyPlan.objects.create(
            title="二十大精神学习计划",
            owner=cls.unit_a,
            starts_on=today - dt.timedelta(days=10),
            deadline=today + dt.timedelta(days=10),
        )
        # A ParentalManyToManyField is written by save(), not by set().
        cls.plan.audience.set([cls.unit_a])
        cls.plan.save()
        PlanItem.objects.create(plan=cls.plan, material=cls.article, sort_order=0)
        PlanItem.objects.create(plan=cls.plan, material=cls.video, sort_order=1)

    @classmethod
    def make_material(cls, title, *, slug, section=None, **fields):
        fields.setdefault("topic", cls.topic)
        fields.setdefault("body", BODY)
        material = MaterialPage(title=title, slug=slug, **fields)
        return actions.do_publish_material(
            section or cls.section_a, material, acting_user=cls.admin
        )

    def rule(self, kind) -> PointRule:
        return PointRule.objects.get(kind=kind)

    def age_reading(self, reading: Reading, seconds: float) -> None:
        """Moves the reading's last heartbeat into the past, as if time passed."""
        Reading.objects.filter(pk=reading.pk).update(
            last_beat_at=timezone.now() - dt.timedelta(seconds=seconds),
            opened_at=reading.opened_at - dt.timedelta(seconds=seconds),
        )
        reading.refresh_from_db()
