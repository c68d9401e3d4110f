from __future__ import annotations

from django.test import TestCase

from dangjian.lib.demo import DemoContext
from dangjian.members import demo
from dangjian.members.models import MemberProfile, Transfer
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.test import CityMixin, make_person


class DemoTestCase(CityMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.build_city()
        for n in range(40):
            person = make_person(f"m{n:04d}", f"党员{n:02d}")
            branch = (cls.branch_a1, cls.branch_a2, cls.branch_b1)[n % 3]
            do_grant_role(person, branch, Role.MEMBER)

    def test_every_member_gets_a_record_through_the_importer_and_transfers_in_every_state(
        self,
    ):
        ctx = DemoContext(data_dir=None, write=print, people={"admin": self.admin})
        summary = demo.load(ctx)
        self.assertIn("份党员档案", summary)
        # The 40 above and the city's members (张党员, 王党员, 李群众).
        self.assertEqual(MemberProfile.objects.count(), 43)
        probationary = MemberProfile.objects.filter(category="预备党员")
        self.assertGreaterEqual(probationary.count(), 1)
        self.assertFalse(probationary.exclude(full_member_on=None).exists())
        for profile in MemberProfile.objects.exclude(full_member_on=None):
            self.assertGreaterEqual(profile.full_member_on, profile.joined_on)
        self.assertEqual(
            set(Transfer.objects.values_list("status", flat=True)),
            {"requested", "approved", "accepted", "completed", "refused", "cancelled"},
        )
        self.assertFalse(Transfer.objects.filter(profile__person=self.member).exists())
        # Loading again changes nothing.
        demo.load(ctx)
        self.assertEqual(MemberProfile.objects.count(), 43)
        self.assertEqual(Transfer.objects.count(), 9)
