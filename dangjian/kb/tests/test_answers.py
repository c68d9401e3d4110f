"""What a citizen meets on the knowledge base: the landing page, answers
with a date and "这个回答有帮助吗", an honest "nothing found", sample data
named as such, and entries owned by the unit of their subject."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from dangjian.kb.demo import subject_unit
from dangjian.kb.models import AnswerFeedback, SearchLog
from dangjian.kb.plugins import participation_figures
from dangjian.kb.tests.test_kb import make_entry
from dangjian.lib import plugins
from dangjian.test import PASSWORD, BaseTestCase


class AnswerPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.entry = make_entry(
            cls.unit_a,
            "住房公积金提取",
            "持购房合同到柜台申请提取。",
            category="办事服务",
        )

    def test_the_answer_shows_a_date_and_no_internal_label(self):
        r = self.client.get(f"/kb/entries/{self.entry.pk}/")
        self.assertContains(r, "持购房合同到柜台申请提取。")
        self.assertNotContains(r, "答复口径")
        self.assertContains(r, "更新于")
        self.assertContains(r, timezone.localdate().strftime("%Y-%m-%d"))

    def test_a_citizen_rates_an_answer_and_the_unit_counts_it(self):
        r = self.client.get(f"/kb/entries/{self.entry.pk}/")
        self.assertContains(r, "这个回答有帮助吗")
        r = self.client.post(
            f"/kb/entries/{self.entry.pk}/feedback/",
            {"helpful": "no", "comment": "没说要带哪些材料"},
            follow=True,
        )
        self.assertContains(r, "感谢您的评价")
        feedback = AnswerFeedback.objects.get()
        self.assertFalse(feedback.helpful)
        self.assertEqual(feedback.comment, "没说要带哪些材料")
        now = timezone.now()
        window = plugins.Window(
            now - datetime.timedelta(days=1),
            now + datetime.timedelta(minutes=1),
            timezone.localdate() - datetime.timedelta(days=1),
            timezone.localdate(),
        )
        figures = {}
        for f in participation_figures():
            figures.update(f.count(window))
        self.assertEqual(figures["kb_not_helpful"], {self.unit_a.pk: 1})
        self.assertEqual(figures["kb_helpful"], {})

    def test_the_answer_page_is_served_from_the_page_cache(self):
        url = f"/kb/entries/{self.entry.pk}/"
        first = self.client.get(url)
        self.assertNotIn("csrftoken", first.cookies)
        self.assertIn("s-maxage", first["Cache-Control"])
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")

    def test_a_rating_needs_no_token_and_counts_once_per_client(self):
        client = Client(enforce_csrf_checks=True)
        url = f"/kb/entries/{self.entry.pk}/feedback/"
        r = client.post(url, {"helpful": "yes"}, follow=True)
        self.assertContains(r, "感谢您的评价")
        r = client.post(url, {"helpful": "yes"}, follow=True)
        self.assertContains(r, "您已评价过这条答复")
        self.assertEqual(AnswerFeedback.objects.count(), 1)

    def test_the_units_dashboard_shows_the_comments(self):
        self.client.post(
            f"/kb/entries/{self.entry.pk}/feedback/",
            {"helpful": "no", "comment": "没说要带哪些材料"},
        )
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get("/kb/hot/")
        self.assertContains(r, "没帮助 1 次")
        self.assertContains(r, "没说要带哪些材料")

    def test_rating_twice_is_counted_once_and_said_next_to_the_question(self):
        url = f"/kb/entries/{self.entry.pk}/feedback/"
        self.client.post(url, {"helpful": "yes"})
        r = self.client.post(url, {"helpful": "yes"}, follow=True)
        self.assertContains(r, "您已评价过这条答复")
        self.assertEqual(AnswerFeedback.objects.count(), 1)

    def test_bad_ratings_change_nothing_and_say_why(self):
        url = f"/kb/entries/{self.entry.pk}/feedback/"
        for data, message in [
            ({"helpful": "maybe"}, "请选择"),
            ({"helpful": "no", "comment": "长" * 301}, "最多 300 个字"),
        ]:
            with self.subTest(data=data):
                r = self.client.post(url, data, follow=True)
                self.assertContains(r, message)
        # Control characters are refused at the edge, before any view.
        r = self.client.post(url, {"helpful": "no", "comment": "坏\x00字"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(AnswerFeedback.objects.count(), 0)
        self.assertEqual(self.client.get(url).status_code, 405)


class SearchPageTestCase(BaseTestCase):
    def setUp(self):
        # The search index is per test: entries are made (and indexed) here.
        self.visa = make_entry(self.unit_b, "出国签证材料说明", "请向出入境窗口咨询。")
        self.other = make_entry(self.unit_a, "住房公积金提取", "持购房合同申请。")

    def test_a_query_with_nothing_relevant_says_so_and_gives_the_hotline(self):
        # The index alone finds the visa entry (it shares 签证).
        visa = f'href="/kb/entries/{self.visa.pk}/'
        self.assertContains(self.client.get("/kb/", {"q": "签证"}), visa)
        r = self.client.get("/kb/", {"q": "火星签证"})
        self.assertContains(r, "没有找到与“火星签证”相关的答复")
        self.assertContains(r, 'href="tel:12345"')
        self.assertNotContains(r, visa)

    def test_a_relevant_query_still_finds_its_answer(self):
        r = self.client.get("/kb/", {"q": "签证材料"})
        self.assertContains(r, f'href="/kb/entries/{self.visa.pk}/')

    def test_the_landing_page_shows_hot_questions_and_categories(self):
        SearchLog.objects.create(
            query="公积金",
            normalized="公积金",
            result_count=1,
            channel=SearchLog.Channel.CITIZEN,
            clicked_entry=self.other,
        )
        make_entry(self.unit_a, "居住证办理", category="便民问答")
        r = self.client.get("/kb/")
        self.assertContains(r, "本周热点问题")
        self.assertContains(r, "住房公积金提取")
        self.assertContains(r, "按分类浏览")
        self.assertContains(r, "?category=%E4%BE%BF%E6%B0%91%E9%97%AE%E7%AD%94")
        r = self.client.get("/kb/", {"category": "便民问答"})
        self.assertContains(r, "居住证办理")
        self.assertNotContains(r, f'href="/kb/entries/{self.visa.pk}/')

    def test_sample_entries_are_named_as_sample_data(self):
        self.assertNotContains(self.client.get("/kb/"), "示例数据")
        # Committed, so the stored landing page is purged (lib/pagecache.py).
        with self.captureOnCommitCallbacks(execute=True):
            make_entry(self.unit_a, "北京的问题", source="hotline_kb_bj/kb.jsonl")
        self.assertContains(self.client.get("/kb/"), "示例数据：北京12345公开知识库")


class DemoOwnersTestCase(BaseTestCase):
    def test_each_entry_goes_to_the_unit_that_owns_its_subject(self):
        for question, unit in [
            ("如何变更住房公积金提取日期？", "市住房公积金管理中心"),
            ("社会保障卡如何申领或者补换？", "市社会保险事业服务中心"),
            ("怎么办理养犬登记？", "市公安局"),
            ("遇到大风天气我该怎么办", "市应急管理局"),
            ("如何申领失业补助金？", "市人力资源和社会保障局"),
        ]:
            with self.subTest(question=question):
                self.assertEqual(subject_unit(question), unit)
        self.assertEqual(subject_unit("如何添加服务微信？"), "")


class SearchCostTestCase(BaseTestCase):
    """The busiest public read: a search reads the database for the page's
    live ids and for the text of its best hit only, whose relevance it
    checks; never the whole page of entries (at 100,000 entries that was a
    third of an uncached search, bench/kb_search.py)."""

    def setUp(self):
        self.entries = [
            make_entry(self.unit_a, f"住房公积金提取办法{n}", "持购房合同申请。" * 50)
            for n in range(5)
        ]

    def test_a_search_reads_one_entrys_text_not_the_pages(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from dangjian.kb.search import search_entries

        search_entries("住房")  # per-process tables read once (confirmed answers)
        with CaptureQueriesContext(connection) as queries:
            results = search_entries("公积金提取")
        self.assertEqual(len(results.hits), 5)
        answers = [q["sql"] for q in queries if '"answer"' in q["sql"]]
        self.assertEqual(len(answers), 1, answers)
        self.assertNotIn(" IN (", answers[0].upper())  # one entry's row
        self.assertLessEqual(len(queries), 2, [q["sql"] for q in queries])

    def test_an_unrelated_best_hit_is_still_turned_down(self):
        from dangjian.kb.search import search_entries

        results = search_entries("火星移民公积金")
        self.assertEqual(results.total, 0)
        self.assertEqual(results.hits, [])
        self.assertTrue(results.did_you_mean.startswith("住房公积金提取办法"))
