"""Person pickers in admin forms list only the people of the units one
manages (orgs.admin_guard.people_in_reach), whatever app the form is in."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.orgs.permissions import choosable
from dangjian.test import BaseTestCase, make_person


class PersonChoicesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit_admin_b = make_person("unit_admin_b", "公安局管理员")
        do_grant_role(cls.unit_admin_b, cls.unit_b, Role.UNIT_ADMIN)
        cls.loner = make_person("loner", "未分配账户")

    def people(self, user) -> set[str]:
        return set(
            choosable(user, get_user_model().objects.all()).values_list(
                "username", flat=True
            )
        )

    def test_staff_choose_among_their_own_units_people_and_themselves(self):
        a = self.people(self.editor)
        # A new account in no organisation yet may be brought in by anyone.
        self.assertTrue({"member", "sibling", "editor", "secretary", "loner"} <= a)
        self.assertFalse({"outsider", "editor_b"} & a)
        b = self.people(self.unit_admin_b)
        self.assertTrue({"outsider", "editor_b", "unit_admin_b", "loner"} <= b)
        self.assertFalse({"member", "sibling", "editor", "secretary"} & b)

    def test_a_member_without_a_staff_role_chooses_no_other_member(self):
        self.assertFalse({"sibling", "outsider", "editor"} & self.people(self.member))

    def test_the_platform_admin_chooses_anyone(self):
        self.assertIn("loner", self.people(self.admin))

    def test_another_units_admin_never_sees_unit_as_people_in_an_add_form(self):
        self.client.force_login(self.unit_admin_b)
        response = self.client.get(reverse("memberships:add"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "李群众")  # unit B's own member
        for name in ("张党员", "王党员", "宣传部编辑"):
            self.assertNotContains(response, name)
