from dangjian.publicity.models import Release
from dangjian.study.tests.helpers import StudyTestCase


class MaterialReleaseTestCase(StudyTestCase):
    """The study fixtures publish a public, a members-only and a plan-only material."""

    def test_only_the_public_material_is_released(self):
        releases = Release.objects.filter(kind=Release.Kind.MATERIAL)
        self.assertEqual(
            list(releases.values_list("object_id", flat=True)),
            [self.public_article.pk],
        )
        release = releases.get()
        self.assertEqual(release.unit, self.unit_a)
        self.assertEqual(release.column_name, "二十大报告")

    def test_the_topic_feed_carries_it(self):
        r = self.client.get(f"/publicity/feeds/material/{self.topic.pk}.xml")
        self.assertContains(r, "公开的学习资料")
        self.assertNotContains(r, "学习二十大报告")
        self.assertNotContains(r, "微党课")
