"""Two districts with a lecture team, venues, events and grids each, on top
of the shared test city and its disclosure column.

中共测试市委
├── 海南区 (district H)          hn_admin (unit admin)
│   └── 西卓子山街道 (sub H)      grid 兴隆社区·第一网格: worker 王网格
└── 乌达区 (district W)          wd_admin (unit admin)
    └── 三道坎街道 (sub W)        grid 团结社区·第一网格: worker 赵网格
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.lib.writebehind import reset_all
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Role
from dangjian.outreach.models import (
    Event,
    Grid,
    GridWorker,
    LectureTeam,
    Venue,
)
from dangjian.test import make_person


class OutreachTestCase(DisclosureTestCase):
    district_h: Organisation
    district_w: Organisation
    sub_h: Organisation
    sub_w: Organisation

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.city.refresh_from_db()
        cls.district_h = cls.city.add_child(
            name="海南区", kind=Organisation.Kind.DISTRICT
        )
        cls.district_h.refresh_from_db()
        cls.sub_h = cls.district_h.add_child(
            name="西卓子山街道", kind=Organisation.Kind.SUBDISTRICT
        )
        cls.city.refresh_from_db()
        cls.district_w = cls.city.add_child(
            name="乌达区", kind=Organisation.Kind.DISTRICT
        )
        cls.district_w.refresh_from_db()
        cls.sub_w = cls.district_w.add_child(
            name="三道坎街道", kind=Organisation.Kind.SUBDISTRICT
        )
        for org in (cls.city, cls.district_h, cls.district_w):
            org.refresh_from_db()
        cls.hn_admin = make_person("hn_admin", "海南区管理员")
        cls.wd_admin = make_person("wd_admin", "乌达区管理员")
        do_grant_role(cls.hn_admin, cls.district_h, Role.UNIT_ADMIN)
        do_grant_role(cls.wd_admin, cls.district_w, Role.UNIT_ADMIN)

        now = timezone.now()
        cls.team_h = LectureTeam.objects.create(
            unit=cls.district_h, name="海南区理论宣讲团"
        )
        cls.team_w = LectureTeam.objects.create(
            unit=cls.district_w, name="乌达区百姓宣讲团"
        )
        cls.venue_h = Venue.objects.create(
            unit=cls.district_h,
            district=cls.district_h,
            kind=Venue.Kind.CENTRE,
            name="海南区新时代文明实践中心",
        )
        cls.venue_w = Venue.objects.create(
            unit=cls.district_w,
            district=cls.district_w,
            kind=Venue.Kind.PARK,
            name="乌达区人民公园",
        )
        cls.upcoming_h = Event.objects.create(
            team=cls.team_h,
            topic="学习二十大精神进社区",
            format=Event.Format.LECTURE_ARTS,
            venue=cls.venue_h,
            starts_at=now + dt.timedelta(days=2),
            ends_at=now + dt.timedelta(days=2, hours=2),
        )
        cls.past_h = Event.objects.create(
            team=cls.team_h,
            topic="中国式现代化百姓谈",
            venue=cls.venue_h,
            starts_at=now - dt.timedelta(days=3),
            ends_at=now - dt.timedelta(days=3) + dt.timedelta(hours=2),
            people_reached=120,
        )
        cls.upcoming_w = Event.objects.create(
            team=cls.team_w,
            topic="乌达区乡村振兴政策宣讲",
            format=Event.Format.QA,
            venue=cls.venue_w,
            starts_at=now + dt.timedelta(days=5),
            ends_at=now + dt.timedelta(days=5, hours=1),
        )
        cls.grid_h = Grid.objects.create(
            unit=cls.sub_h, community="兴隆社区", name="第一网格"
        )
        cls.grid_w = Grid.objects.create(
            unit=cls.sub_w, community="团结社区", name="第一网格"
        )
        cls.worker_h = make_person("worker_h", "王网格")
        cls.worker_w = make_person("worker_w", "赵网格")
        cls.post_h = GridWorker.objects.create(grid=cls.grid_h, person=cls.worker_h)
        cls.post_w = GridWorker.objects.create(grid=cls.grid_w, person=cls.worker_w)

    def setUp(self):
        super().setUp()
        reset_all()

    def published(self, **fields) -> DisclosureItemPage:
        """A disclosure item, live: 社会公开 unless ``scope="internal"``."""
        page = self.make_item(**fields)
        page.get_latest_revision().publish(user=self.admin)
        return DisclosureItemPage.objects.get(pk=page.pk)

    def internal_item(self) -> DisclosureItemPage:
        return self.published(
            title="党内：支部换届选举结果",
            scope="internal",
            audience=[self.unit_a],
        )
