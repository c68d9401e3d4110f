from django.urls import reverse

from dangjian.study.models import MaterialPage, PointEntry, Progress, Reading
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class TrackingTestCase(StudyTestCase):
    def open(self, material, user):
        self.client.login(username=user.username, password=PASSWORD)
        response = self.client.get(material.url)
        self.assertEqual(response.status_code, 200)
        return Reading.objects.filter(person=user, material=material).latest("pk")

    def beat(self, reading, **data):
        return self.client.post(reverse("study:beat", args=[reading.pk]), data)

    def test_opening_a_material_is_recorded_by_the_server(self):
        reading = self.open(self.article, self.member)
        progress = Progress.objects.get(person=self.member, material=self.article)
        self.assertEqual(progress.opens, 1)
        self.assertEqual(progress.seconds, 0)
        self.assertIsNone(progress.completed_at)
        self.assertEqual(reading.material_id, self.article.pk)

    def test_heartbeats_credit_time_with_a_cap_per_beat(self):
        MaterialPage.objects.filter(pk=self.article.pk).update(min_seconds=600)
        reading = self.open(self.article, self.member)
        self.age_reading(reading, 3600)  # a tab left open for an hour
        data = self.beat(reading).json()
        self.assertEqual(data["seconds"], 60.0)
        self.assertFalse(data["completed"])

    def test_an_article_counts_as_read_after_its_required_time(self):
        required = self.article.required_seconds
        reading = self.open(self.article, self.member)
        for _ in range(required // 30 + 1):
            self.age_reading(reading, 30)
            data = self.beat(reading).json()
        self.assertTrue(data["completed"])
        entry = PointEntry.objects.get(person=self.member)
        self.assertEqual(entry.source, f"material:{self.article.pk}")
        # Reading it again earns nothing more.
        reading = self.open(self.article, self.member)
        self.age_reading(reading, 60)
        self.beat(reading)
        self.assertEqual(PointEntry.objects.filter(person=self.member).count(), 1)

    def test_the_finish_button_works_without_javascript(self):
        reading = self.open(self.article, self.member)
        response = self.client.post(reverse("study:finish", args=[reading.pk]))
        self.assertRedirects(response, self.article.url, fetch_redirect_response=False)
        self.assertIsNone(
            Progress.objects.get(person=self.member, material=self.article).completed_at
        )
        self.age_reading(reading, self.article.required_seconds + 5)
        self.client.post(reverse("study:finish", args=[reading.pk]))
        self.assertIsNotNone(
            Progress.objects.get(person=self.member, material=self.article).completed_at
        )

    def test_a_video_reported_as_ended_at_once_is_not_watched(self):
        reading = self.open(self.video, self.member)
        self.age_reading(reading, 1)
        data = self.beat(reading, position="8").json()
        self.assertFalse(data["completed"])
        self.assertLess(data["position"], 8)

    def test_a_video_watched_in_real_time_to_the_end_counts(self):
        reading = self.open(self.video, self.member)
        for position in ("3", "6", "8"):
            self.age_reading(reading, 3)
            data = self.beat(reading, position=position).json()
        self.assertTrue(data["completed"])
        entry = PointEntry.objects.get(person=self.member)
        self.assertEqual(entry.rule.kind, "video_watched")

    def test_a_bad_position_is_refused(self):
        reading = self.open(self.video, self.member)
        response = self.beat(reading, position="abc")
        self.assertEqual(response.status_code, 400)
        self.assertIn("秒数", response.json()["error"])

    def test_someone_else_cannot_beat_my_reading(self):
        reading = self.open(self.article, self.member)
        self.client.login(username="sibling", password=PASSWORD)
        self.assertEqual(self.beat(reading).status_code, 403)

    def test_a_plan_only_material_is_closed_to_people_outside_the_plan(self):
        self.client.login(username="outsider", password=PASSWORD)
        response = self.client.get(self.video.url)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Reading.objects.filter(person=self.outsider).exists())
        self.client.logout()
        response = self.client.get(self.video.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])

    def test_anonymous_visitors_read_public_material_without_a_record(self):
        response = self.client.get(self.public_article.url)
        self.assertContains(response, "公开的学习资料")
        self.assertFalse(Reading.objects.exists())
        self.assertEqual(self.client.get(self.article.url).status_code, 302)
