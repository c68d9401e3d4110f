from dangjian.publicity.tests.helpers import PublicityTestCase


class FeedTestCase(PublicityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

    def setUp(self):
        self.public_a = self.publish(title="宣传部公开事项")
        self.internal_a = self.publish(
            title="宣传部党内事项", scope="internal", audience=[self.unit_a]
        )
        self.public_b = self.publish_directly(
            self.make_item(
                "公安局公开事项", section=self.section_b, editor=self.editor_b
            )
        )

    def test_the_site_feed_is_atom_with_public_items_only(self):
        r = self.client.get("/publicity/feeds/atom.xml")
        self.assertEqual(r.status_code, 200)
        self.assertIn("application/atom+xml", r["Content-Type"])
        self.assertContains(r, "宣传部公开事项")
        self.assertContains(r, "公安局公开事项")
        self.assertNotContains(r, "宣传部党内事项")
        self.assertContains(r, "?from=atom")

    def test_a_unit_feed_holds_that_units_items_only(self):
        r = self.client.get(f"/publicity/feeds/unit/{self.unit_b.pk}.xml")
        self.assertContains(r, "公安局公开事项")
        self.assertNotContains(r, "宣传部公开事项")
        self.assertEqual(
            self.client.get("/publicity/feeds/unit/999999.xml").status_code, 404
        )

    def test_a_column_feed_holds_that_column_only(self):
        r = self.client.get(f"/publicity/feeds/disclosure/{self.category.pk}.xml")
        self.assertContains(r, "宣传部公开事项")
        self.assertContains(r, self.category.name)
        self.assertNotContains(
            self.client.get("/publicity/feeds/kb.xml"), "宣传部公开事项"
        )
        self.assertEqual(
            self.client.get("/publicity/feeds/nothing.xml").status_code, 404
        )

    def test_an_expired_item_leaves_the_feed(self):
        import datetime as dt

        from dangjian.publicity.models import Release

        Release.objects.filter(object_id=self.public_a.pk).update(
            expires_on=dt.date(2020, 1, 1)
        )
        self.assertNotContains(
            self.client.get("/publicity/feeds/atom.xml"), "宣传部公开事项"
        )

    def test_pages_link_the_feed(self):
        r = self.client.get(self.public_a.url)
        self.assertContains(r, 'rel="alternate" type="application/atom+xml"')
        self.assertContains(r, 'property="og:title" content="宣传部公开事项"')
