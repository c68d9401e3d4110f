"""API authentication: sessions for pages, bearer tokens for other channels."""

from io import StringIO
from unittest import skipUnless

from django.core.management import call_command
from django.test import override_settings
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

    @override_settings(FORCE_SCRIPT_NAME="/dangjian")
    def test_a_token_works_when_the_site_is_mounted_under_a_prefix(self):
        # Behind a proxy at https://host/dangjian/, request.path carries the
        # prefix; the API is recognised by the path inside the site.
        _token, key = do_issue_token(self.member, name="channel")
        r = self.client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["username"], "member")

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


REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/11",
        "KEY_PREFIX": "test-orgs-tokens",
    }
}


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_CACHE["default"]["LOCATION"]).ping()
        return True
    except Exception:
        return False


@skipUnless(_redis_available(), "Redis is not running on 127.0.0.1:6379")
@override_settings(CACHES=REDIS_CACHE)
class CachedTokenTestCase(BaseTestCase):
    """With Redis, tokens are cached; a change must still take effect at once."""

    def setUp(self):
        from django.core.cache import cache

        cache.clear()
        self.token, self.key = do_issue_token(self.member, name="channel")
        self.headers = {"Authorization": f"Bearer {self.key}"}
        # The first request caches the token; the second is answered from it.
        self.assertEqual(
            self.client.get("/api/me", headers=self.headers).status_code, 200
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from wagtail.models import APIToken

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(
                self.client.get("/api/me", headers=self.headers).status_code, 200
            )
        # The person's scope, memberships and profile are read; the token not.
        table = APIToken._meta.db_table
        self.assertFalse([q for q in queries.captured_queries if table in q["sql"]])
        self.assertLessEqual(len(queries), 4)

    def test_a_revoked_cached_token_is_refused_at_once(self):
        self.token.revoke()
        r = self.client.get("/api/me", headers=self.headers)
        self.assertEqual(r.status_code, 401)

    def test_a_deleted_cached_token_is_refused_at_once(self):
        self.token.delete()
        r = self.client.get("/api/me", headers=self.headers)
        self.assertEqual(r.status_code, 401)

    def test_a_deactivated_person_is_refused_at_once(self):
        self.member.is_active = False
        self.member.save(update_fields=["is_active"])
        r = self.client.get("/api/me", headers=self.headers)
        self.assertEqual(r.status_code, 401)
