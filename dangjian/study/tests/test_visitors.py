"""What a visitor who has not signed in is told on the study pages."""

from django.urls import reverse

from dangjian.study.models import Topic
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class VisitorTestCase(StudyTestCase):
    def test_a_visitor_is_told_that_signing_in_shows_more(self):
        r = self.client.get(reverse("study:index"))
        self.assertContains(r, "党员登录</a>后可以看到更多学习资料")
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(reverse("study:index"))
        self.assertNotContains(r, "后可以看到更多")

    def test_a_topic_with_nothing_public_says_why_it_looks_empty(self):
        topic = Topic.objects.create(name="仅党员可见的专题")
        r = self.client.get(reverse("study:index"), {"topic": topic.pk})
        self.assertContains(r, "本专题暂无公开的学习资料")
        self.assertContains(r, "党员登录</a>后可以看到更多面向党员的资料")
