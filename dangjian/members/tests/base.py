from __future__ import annotations

from django.test import TestCase

from dangjian.members.importer import import_roster
from dangjian.members.models import MemberProfile
from dangjian.members.tests.helpers import csv_bytes, id_number, row
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.test import CityMixin, make_person


class MembersTestCase(CityMixin, TestCase):
    """The test city with records: 张党员 (the member, A1, active account),
    陈新 (A2, not yet activated), 李群众 (the outsider, B1); a secretary of
    unit B and a branch secretary of A1."""

    full_id: str

    @classmethod
    def setUpTestData(cls):
        cls.build_city()
        cls.secretary_b = make_person("secretary_b", "公安局管理员")
        do_grant_role(cls.secretary_b, cls.unit_b, Role.UNIT_ADMIN)
        cls.secretary_a1 = make_person("secretary_a1", "一支部书记")
        do_grant_role(cls.secretary_a1, cls.branch_a1, Role.UNIT_ADMIN)
        import_roster(
            "a.csv",
            csv_bytes(
                [
                    row("张党员", 1, "宣传部第一党支部"),
                    row("陈新", 2, "宣传部第二党支部", 手机号="13900000002"),
                ]
            ),
            user=cls.secretary,
        )
        import_roster(
            "b.csv",
            csv_bytes([row("李群众", 3, "公安局第一党支部")]),
            user=cls.secretary_b,
        )
        cls.profile = MemberProfile.objects.get(name="张党员")
        cls.newcomer = MemberProfile.objects.get(name="陈新")
        cls.profile_b = MemberProfile.objects.get(name="李群众")
        cls.full_id = id_number(1)
