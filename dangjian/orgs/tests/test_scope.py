from django.contrib.auth.models import AnonymousUser

from dangjian.orgs.actions import do_grant_role, do_revoke_role
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.test import BaseTestCase


class ScopeTestCase(BaseTestCase):
    def test_member_reaches_own_branch_but_not_sibling(self):
        scope = scope_for(self.member)
        self.assertTrue(scope.reaches([self.branch_a1.pk], include_descendants=False))
        self.assertFalse(scope.reaches([self.branch_a2.pk], include_descendants=False))
        self.assertFalse(scope.reaches([self.branch_a2.pk], include_descendants=True))

    def test_member_reaches_parent_unit_only_with_descendants(self):
        scope = scope_for(self.member)
        self.assertTrue(scope.reaches([self.unit_a.pk], include_descendants=True))
        self.assertTrue(scope.reaches([self.city.pk], include_descendants=True))
        self.assertFalse(scope.reaches([self.unit_a.pk], include_descendants=False))

    def test_outsider_does_not_reach_other_unit(self):
        scope = scope_for(self.outsider)
        self.assertFalse(scope.reaches([self.unit_a.pk, self.branch_a1.pk], True))
        self.assertTrue(scope.reaches([self.unit_b.pk], True))

    def test_anonymous_reaches_nothing(self):
        scope = scope_for(AnonymousUser())
        self.assertTrue(scope.is_anonymous)
        self.assertFalse(scope.reaches([self.city.pk], include_descendants=True))

    def test_inactive_person_reaches_nothing(self):
        self.member.is_active = False
        self.assertFalse(scope_for(self.member).reaches([self.branch_a1.pk], False))

    def test_revoking_membership_takes_effect_at_once(self):
        self.assertTrue(scope_for(self.member).reaches([self.branch_a1.pk], False))
        do_revoke_role(self.member, self.branch_a1, Role.MEMBER)
        self.assertFalse(scope_for(self.member).reaches([self.branch_a1.pk], False))

    def test_unit_admin_manages_unit_and_its_branches_only(self):
        managed = set(managed_organisations(self.secretary, [Role.UNIT_ADMIN]))
        self.assertEqual(managed, {self.unit_a, self.branch_a1, self.branch_a2})

    def test_superuser_manages_everything(self):
        self.assertEqual(
            managed_organisations(self.admin, [Role.UNIT_ADMIN]).count(), 6
        )

    def test_member_manages_nothing(self):
        self.assertFalse(managed_organisations(self.member, [Role.EDITOR]).exists())

    def test_person_in_two_organisations_reaches_both(self):
        do_grant_role(self.member, self.branch_b1, Role.MEMBER)
        scope = scope_for(self.member)
        self.assertTrue(scope.reaches([self.branch_b1.pk], False))
        self.assertTrue(scope.reaches([self.branch_a1.pk], False))
