from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.publicity.models import Channel, Delivery, Release
from dangjian.publicity.tests.helpers import PublicityTestCase
from dangjian.test import make_person


class AdminScopeTestCase(PublicityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin_b = make_person("admin_b", "公安局管理员")
        do_grant_role(cls.admin_b, cls.unit_b, Role.UNIT_ADMIN)
        for person in (cls.secretary, cls.admin_b):
            person.is_staff = True
            person.save()
        cls.channel_a = Channel.objects.create(
            name="宣传部公众号", organisation=cls.unit_a, url="https://a.example/hook"
        )
        cls.channel_b = Channel.objects.create(
            name="公安局微博", organisation=cls.unit_b, url="https://b.example/hook"
        )
        cls.city_channel = Channel.objects.create(
            name="全市头条号", organisation=None, url="https://c.example/hook"
        )
        release = Release.objects.create(
            kind="disclosure", object_id=1, title="某事项", url="/x/", unit=cls.unit_b
        )
        cls.failed_b = Delivery.objects.create(
            channel=cls.channel_b,
            organisation=cls.unit_b,
            release=release,
            event="release",
            status=Delivery.Status.FAILED,
            last_error="HTTP 500",
        )

    def test_a_unit_admin_sees_only_their_units_channels(self):
        self.client.force_login(self.secretary)
        r = self.client.get("/admin/publicity_channels/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "宣传部公众号")
        self.assertNotContains(r, "公安局微博")
        self.assertNotContains(r, "全市头条号")

    def test_a_unit_admin_cannot_open_another_units_channel(self):
        self.client.force_login(self.secretary)
        r = self.client.get(f"/admin/publicity_channels/edit/{self.channel_b.pk}/")
        self.assertIn(r.status_code, (302, 403))
        r = self.client.post(f"/admin/publicity_channels/delete/{self.channel_b.pk}/")
        self.assertIn(r.status_code, (302, 403))
        self.assertTrue(Channel.objects.filter(pk=self.channel_b.pk).exists())

    def test_a_unit_admin_adds_a_channel_only_for_their_unit(self):
        self.client.force_login(self.secretary)
        data = {
            "name": "越权渠道",
            "organisation": self.unit_b.pk,
            "kind": "webhook",
            "platform": "generic",
            "url": "https://x.example/hook",
            "secret": "abc",
            "is_active": "on",
        }
        r = self.client.post("/admin/publicity_channels/new/", data)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Channel.objects.filter(name="越权渠道").exists())
        data["organisation"] = self.unit_a.pk
        r = self.client.post("/admin/publicity_channels/new/", data)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Channel.objects.get(name="越权渠道").organisation, self.unit_a)

    def test_failed_deliveries_are_visible_to_their_unit_admin_only(self):
        self.client.force_login(self.admin_b)
        r = self.client.get("/admin/publicity_deliveries/")
        self.assertContains(r, "HTTP 500")
        self.assertContains(r, "立即重试")
        r = self.client.get(f"/admin/publicity_deliveries/inspect/{self.failed_b.pk}/")
        self.assertContains(r, "HTTP 500")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                f"/admin/publicity/deliveries/{self.failed_b.pk}/retry/"
            )
        self.assertRedirects(r, "/admin/publicity_deliveries/")
        self.failed_b.refresh_from_db()
        # b.example does not answer here: the retry is attempted and logged.
        self.assertEqual(self.failed_b.attempts, 1)
        self.failed_b.status = Delivery.Status.FAILED
        self.failed_b.save()
        self.client.force_login(self.secretary)
        r = self.client.get("/admin/publicity_deliveries/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "HTTP 500")
        r = self.client.get(f"/admin/publicity_deliveries/inspect/{self.failed_b.pk}/")
        self.assertIn(r.status_code, (302, 403))
        r = self.client.post(f"/admin/publicity/deliveries/{self.failed_b.pk}/retry/")
        self.assertIn(r.status_code, (302, 403))
        self.failed_b.refresh_from_db()
        self.assertEqual(self.failed_b.status, Delivery.Status.FAILED)

    def test_the_api_lists_own_channels_and_failed_deliveries(self):
        self.client.force_login(self.admin_b)
        r = self.client.get("/api/publicity/channels")
        self.assertEqual(r.status_code, 200)
        self.assertEqual([c["name"] for c in r.json()], ["公安局微博"])
        self.assertNotIn("secret", r.json()[0])
        r = self.client.get("/api/publicity/deliveries", {"status": "failed"})
        self.assertEqual([d["id"] for d in r.json()], [self.failed_b.pk])
        self.client.force_login(self.secretary)
        self.assertEqual(
            self.client.get("/api/publicity/deliveries", {"status": "failed"}).json(),
            [],
        )
        self.client.force_login(self.member)
        self.assertEqual(self.client.get("/api/publicity/channels").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/api/publicity/channels").status_code, 401)
        self.client.force_login(self.admin)
        names = {c["name"] for c in self.client.get("/api/publicity/channels").json()}
        self.assertEqual(names, {"宣传部公众号", "公安局微博", "全市头条号"})
