from __future__ import annotations

from dangjian.members.tests.base import MembersTestCase


class MembersApiTestCase(MembersTestCase):
    def test_me_includes_the_members_own_record_with_the_id_masked(self):
        self.client.force_login(self.member)
        body = self.client.get("/api/me").json()
        profile = body["member_profile"]
        self.assertEqual(profile["name"], "张党员")
        self.assertEqual(profile["id_number"], self.profile.id_masked)
        self.assertNotIn(self.full_id, str(body))

    def test_me_has_no_record_for_staff_without_one(self):
        self.client.force_login(self.editor)
        self.assertIsNone(self.client.get("/api/me").json()["member_profile"])

    def test_an_organisations_managers_list_its_members(self):
        self.client.force_login(self.secretary)
        body = self.client.get(f"/api/orgs/{self.unit_a.pk}/members").json()
        self.assertEqual(body["count"], 2)
        self.assertEqual({m["name"] for m in body["items"]}, {"张党员", "陈新"})
        self.assertNotIn(self.full_id, str(body))

    def test_another_units_secretary_and_members_get_403(self):
        for person in (self.secretary_b, self.member, self.secretary_a1):
            self.client.force_login(person)
            response = self.client.get(f"/api/orgs/{self.unit_a.pk}/members")
            self.assertEqual(response.status_code, 403, person)
            self.assertEqual(response.json()["code"], "forbidden")
        self.client.logout()
        self.assertEqual(
            self.client.get(f"/api/orgs/{self.unit_a.pk}/members").status_code, 401
        )
