"""API authentication: sessions for pages, bearer tokens for other channels."""

from io import StringIO

from django.core.management import call_command
from wagtail.models import APIToken, ModelLogEntry

from dangjian.orgs.actions import do_issue_token
from dangjian.test import PASSWORD, BaseTestCase


class ApiAuthTestCase(BaseTestCase):
    def test_me_requires_authentication(self):
        r = self.client.get("/api/me")
        self.assertEqual(r.status_code, 401)

    def test_issue_token_command_prints_a_working_token(self):
        out = StringIO()
        call_command("issue_token", "member", stdout=out)
        key = out.getvalue().strip()
        r = self.client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["username"], "member")
        self.assertIn(self.branch_a1.pk, body["member_of"])
        self.assertIn(self.unit_a.pk, body["within"])
        self.assertNotIn(self.branch_a2.pk, body["within"])

    def test_revoked_token_is_refused(self):
        token, key = do_issue_token(self.member, name="channel")
        token.revoke()
        r = self.client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["code"], "invalid_token")

    def test_garbage_token_is_refused_even_on_public_endpoints(self):
        r = self.client.get(
            "/api/orgs", headers={"Authorization": "Bearer wagtail_nope"}
        )
        self.assertEqual(r.status_code, 401)

    def test_token_of_inactive_person_is_refused(self):
        _token, key = do_issue_token(self.member, name="channel")
        self.member.is_active = False
        self.member.save(update_fields=["is_active"])
        r = self.client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(r.status_code, 401)

    def test_token_issue_is_audited_and_listed_in_admin(self):
        token, _key = do_issue_token(
            self.member, name="微信公众号", acting_user=self.admin
        )
        self.assertTrue(
            ModelLogEntry.objects.filter(
                object_id=str(token.pk), action="wagtail.apitoken.create"
            ).exists()
        )
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.get("/admin/api-tokens/")
        self.assertContains(r, "微信公众号")

    def test_session_works_for_api(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get("/api/me")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["name"], "张党员")

    def test_openapi_schema_is_served(self):
        r = self.client.get("/api/openapi.json")
        self.assertEqual(r.status_code, 200)
        self.assertIn("/api/me", r.json()["paths"])

    def test_org_tree_lists_parents(self):
        r = self.client.get("/api/orgs")
        rows = {row["name"]: row for row in r.json()}
        self.assertEqual(rows["宣传部第一党支部"]["parent_id"], self.unit_a.pk)
        self.assertIsNone(rows["中共测试市委"]["parent_id"])
        self.assertEqual(APIToken.objects.count(), 0)
