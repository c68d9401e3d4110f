"""Roles map to groups with page permissions on the unit's own pages only."""

from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry, Page

from dangjian.orgs.actions import do_grant_role, do_revoke_role
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.roles import grant_unit_pages
from dangjian.portal.models import HomePage, UnitIndexPage, UnitPage
from dangjian.test import PASSWORD, BaseTestCase


class UnitPagePermissionTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="首页", slug="test-home"))
        index = home.add_child(instance=UnitIndexPage(title="单位", slug="units"))
        cls.page_a = index.add_child(
            instance=UnitPage(title="市委宣传部", slug="a", organisation=cls.unit_a)
        )
        cls.page_b = index.add_child(
            instance=UnitPage(title="市公安局", slug="b", organisation=cls.unit_b)
        )
        grant_unit_pages(cls.unit_a, cls.page_a)
        grant_unit_pages(cls.unit_b, cls.page_b)

    def edit_url(self, page):
        return f"/admin/pages/{page.pk}/edit/"

    def test_editor_can_open_own_unit_page_in_admin(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(self.edit_url(self.page_a))
        self.assertEqual(r.status_code, 200)

    def test_editor_cannot_open_other_unit_page(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(self.edit_url(self.page_b))
        self.assertNotEqual(r.status_code, 200)
        self.assertIn(r.status_code, (302, 403))

    def test_editor_cannot_change_other_unit_page(self):
        self.client.login(username="editor", password=PASSWORD)
        self.client.post(
            self.edit_url(self.page_b),
            {"title": "被篡改", "slug": "b", "organisation": self.unit_b.pk},
        )
        self.page_b.refresh_from_db()
        self.assertEqual(self.page_b.title, "市公安局")
        self.assertFalse(self.page_b.has_unpublished_changes)

    def test_editor_cannot_publish_own_unit_page(self):
        perms = self.page_a.permissions_for_user(self.editor)
        self.assertTrue(perms.can_edit())
        self.assertFalse(perms.can_publish())

    def test_approver_can_publish_own_unit_page_only(self):
        self.assertTrue(self.page_a.permissions_for_user(self.approver).can_publish())
        self.assertFalse(self.page_b.permissions_for_user(self.approver).can_publish())

    def test_member_cannot_enter_admin(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get("/admin/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/admin/login/", r["Location"])

    def test_revoking_role_removes_admin_access(self):
        do_revoke_role(self.editor, self.unit_a, Role.EDITOR)
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(self.edit_url(self.page_a))
        self.assertNotEqual(r.status_code, 200)


class RoleActionsTestCase(BaseTestCase):
    def test_grant_and_revoke_are_audited(self):
        do_grant_role(self.outsider, self.unit_b, Role.REVIEWER, acting_user=self.admin)
        do_revoke_role(
            self.outsider, self.unit_b, Role.REVIEWER, acting_user=self.admin
        )
        actions = list(
            ModelLogEntry.objects.filter(object_id=str(self.outsider.pk))
            .order_by("timestamp", "pk")
            .values_list("action", "user_id")
        )
        self.assertIn(("dangjian.role.grant", self.admin.pk), actions)
        self.assertIn(("dangjian.role.revoke", self.admin.pk), actions)

    def test_granting_twice_is_a_no_op(self):
        do_grant_role(self.member, self.branch_a1, Role.MEMBER)
        self.assertEqual(self.member.memberships.count(), 1)

    def test_unknown_role_is_refused(self):
        with self.assertRaises(ValidationError):
            do_grant_role(self.member, self.unit_a, "king")

    def test_editor_role_joins_the_unit_group(self):
        self.assertEqual(
            list(self.editor.groups.values_list("name", flat=True)), ["市委宣传部·编辑"]
        )


class OrganisationAdminTestCase(BaseTestCase):
    def test_admin_adds_a_branch_under_a_unit(self):
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.post(
            "/admin/organisations/new/",
            {
                "parent": self.unit_a.pk,
                "name": "宣传部第三党支部",
                "short_name": "",
                "kind": "branch",
                "is_active": "on",
            },
        )
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        branch = self.unit_a.get_children().get(name="宣传部第三党支部")
        self.assertTrue(branch.is_branch)

    def test_admin_moves_a_branch_to_another_unit(self):
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.post(
            f"/admin/organisations/edit/{self.branch_a2.pk}/",
            {
                "parent": self.unit_b.pk,
                "name": self.branch_a2.name,
                "kind": "branch",
                "is_active": "on",
            },
        )
        self.assertEqual(r.status_code, 302)
        self.branch_a2.refresh_from_db()
        self.assertEqual(self.branch_a2.get_parent(), self.unit_b)

    def test_nothing_goes_under_a_branch(self):
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.post(
            "/admin/organisations/new/",
            {"parent": self.branch_a1.pk, "name": "非法组织", "kind": "branch"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Organisation.objects.filter(name="非法组织").exists())

    def test_editor_cannot_manage_organisations(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get("/admin/organisations/")
        self.assertNotEqual(r.status_code, 200)


class MembershipAdminTestCase(BaseTestCase):
    """Unit admins appoint people in their own unit only, through the admin."""

    def test_unit_admin_lists_only_own_unit_memberships(self):
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get("/admin/memberships/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "宣传部第一党支部")
        self.assertNotContains(r, "公安局第一党支部")

    def test_unit_admin_appoints_an_editor_in_own_unit(self):
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.post(
            "/admin/memberships/new/",
            {
                "person": self.member.pk,
                "organisation": self.unit_a.pk,
                "role": "editor",
            },
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(
            self.member.groups.filter(name="市委宣传部·编辑").exists(),
            "the new editor joins the unit's editor group",
        )
        self.assertTrue(
            ModelLogEntry.objects.filter(
                object_id=str(self.member.pk),
                action="dangjian.role.grant",
                user=self.secretary,
            ).exists()
        )

    def test_unit_admin_cannot_appoint_in_another_unit(self):
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.post(
            "/admin/memberships/new/",
            {
                "person": self.member.pk,
                "organisation": self.unit_b.pk,
                "role": "editor",
            },
        )
        self.assertEqual(r.status_code, 200)  # the form refuses the choice
        self.assertFalse(
            self.member.memberships.filter(organisation=self.unit_b).exists()
        )

    def test_unit_admin_cannot_revoke_in_another_unit(self):
        membership = self.outsider.memberships.get()
        self.client.login(username="secretary", password=PASSWORD)
        self.client.post(f"/admin/memberships/delete/{membership.pk}/")
        self.assertTrue(self.outsider.memberships.exists())

    def test_revoking_through_admin_is_audited(self):
        membership = self.sibling.memberships.get()
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.post(f"/admin/memberships/delete/{membership.pk}/")
        self.assertEqual(r.status_code, 302)
        self.assertFalse(self.sibling.memberships.exists())
        self.assertTrue(
            ModelLogEntry.objects.filter(
                object_id=str(self.sibling.pk), action="dangjian.role.revoke"
            ).exists()
        )
