"""Learning from use and an honest "not found" (issue 22)."""

from __future__ import annotations

from django.core.management import call_command

from dangjian.kb import searchlog
from dangjian.kb.learning import invalidate_answers, learn
from dangjian.kb.models import LearnedAnswer, SearchLog
from dangjian.kb.search import search_entries
from dangjian.kb.tests.test_kb import make_entry
from dangjian.search.analysis import invalidate_synonyms
from dangjian.search.models import Synonym
from dangjian.test import BaseTestCase


def clicked(entry, query, times=1, channel=SearchLog.Channel.CITIZEN):
    for _ in range(times):
        SearchLog.objects.create(
            query=query,
            normalized=searchlog.normalized_query(query),
            result_count=1,
            channel=channel,
            clicked_entry=entry,
        )


def forget_caches():
    # The synonym table and confirmed questions are cached per process; a
    # test's rolled-back rows must not be seen by the next test.
    invalidate_synonyms()
    invalidate_answers()


def first(query, **kwargs):
    hits = search_entries(query, **kwargs).hits
    return hits[0].id if hits else None


class LearnedSynonymTestCase(BaseTestCase):
    def setUp(self):
        forget_caches()
        self.license = make_entry(
            self.unit_a, "养犬登记证办理", "携犬只免疫证明到派出所办理。"
        )
        self.inspection = make_entry(
            self.unit_a, "养犬登记证年检", "每年到派出所年检。"
        )
        make_entry(self.unit_a, "居住证办理", "到派出所申领。")

    def test_searches_that_led_to_the_same_entries_propose_a_pair_with_counts(self):
        clicked(self.license, "狗证怎么办", times=2)
        clicked(self.inspection, "狗证每年要检查吗")
        out = learn()
        proposal = Synonym.objects.get(origin=Synonym.Origin.LEARNED)
        self.assertEqual(proposal.terms, "狗证/登记证")
        self.assertEqual(proposal.review, Synonym.Review.PROPOSED)
        self.assertEqual(proposal.searches, 3)
        self.assertIn("狗证怎么办", proposal.examples)
        self.assertIn("狗证每年要检查吗", proposal.examples)
        self.assertIn(("狗证", "登记证", 3), out.pairs)

    def test_too_few_searches_propose_nothing(self):
        clicked(self.license, "狗证怎么办", times=2)
        learn()
        self.assertFalse(Synonym.objects.filter(origin=Synonym.Origin.LEARNED))

    def test_an_operators_choice_in_the_console_counts_twice(self):
        clicked(self.license, "狗证怎么办", channel=SearchLog.Channel.CONSOLE)
        clicked(self.license, "狗证在哪办")
        learn()
        self.assertEqual(Synonym.objects.get(terms="狗证/登记证").searches, 3)

    def test_a_proposal_counts_only_once_an_admin_confirms_it(self):
        clicked(self.license, "狗证怎么办", times=3)
        learn()
        self.assertIsNone(first("狗证"))
        proposal = Synonym.objects.get(terms="狗证/登记证")
        # The admin confirms it in the synonym table.
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/snippets/search/synonym/edit/{proposal.pk}/",
            {
                "terms": proposal.terms,
                "note": proposal.note,
                "enabled": "on",
                "origin": proposal.origin,
                "review": Synonym.Review.CONFIRMED,
                "searches": proposal.searches,
                "examples": proposal.examples,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(first("狗证 办理"), self.license.pk)

    def test_a_rejected_proposal_stays_rejected_when_learned_again(self):
        clicked(self.license, "狗证怎么办", times=3)
        learn()
        Synonym.objects.filter(terms="狗证/登记证").update(
            review=Synonym.Review.REJECTED
        )
        clicked(self.license, "狗证怎么办")
        learn()
        proposal = Synonym.objects.get(terms="狗证/登记证")
        self.assertEqual(proposal.review, Synonym.Review.REJECTED)
        self.assertEqual(proposal.searches, 4)
        self.assertIsNone(first("狗证"))

    def test_the_command_reports_in_chinese(self):
        clicked(self.license, "狗证怎么办", times=3)
        from io import StringIO

        out = StringIO()
        call_command("kb_learn", stdout=out)
        self.assertIn("新建议同义词 1 组", out.getvalue())
        self.assertIn("狗证 / 登记证：3 次检索", out.getvalue())


class LearnedAnswerTestCase(BaseTestCase):
    def setUp(self):
        forget_caches()
        self.lost = make_entry(self.unit_a, "犬只丢失怎么登记", "到派出所登记。")
        self.found = make_entry(
            self.unit_a, "走失犬只的找回和认领", "可到收容所认领走失的犬只。"
        )

    def test_a_question_that_led_to_an_entry_is_proposed_then_confirmed(self):
        question = "家里的狗跑丢了去哪找"
        clicked(self.found, question, times=3)
        learn()
        learned = LearnedAnswer.objects.get()
        self.assertEqual(learned.entry, self.found)
        self.assertEqual(learned.searches, 3)
        self.assertEqual(learned.review, LearnedAnswer.Review.PROPOSED)
        self.assertNotEqual(first(question), self.found.pk)
        learned.review = LearnedAnswer.Review.CONFIRMED
        learned.save()
        self.assertEqual(first(question), self.found.pk)
        # The same question typed with other spacing and width is the same.
        self.assertEqual(first(" 家里的狗跑丢了去哪找 "), self.found.pk)
        # Only within the filters asked: another unit's search is not changed.
        self.assertNotEqual(first(question, unit=self.unit_b.pk), self.found.pk)

    def test_learned_pages_are_for_superusers_only(self):
        clicked(self.found, "家里的狗跑丢了去哪找", times=3)
        learn()
        url = "/admin/snippets/kb/learnedanswer/"
        self.client.force_login(self.editor)
        self.assertNotEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.admin)
        response = self.client.get(url)
        self.assertContains(response, "家里的狗跑丢了去哪找")


class NotFoundTestCase(BaseTestCase):
    def setUp(self):
        forget_caches()
        make_entry(self.unit_a, "因私出国签证办理", "到出入境窗口办理。")
        make_entry(self.unit_a, "登山中注意什么", "结伴而行，带足饮水。")

    def test_nothing_relevant_is_said_plainly_with_the_nearest_question(self):
        results = search_entries("火星签证")
        self.assertEqual(results.total, 0)
        self.assertEqual(results.hits, [])
        self.assertEqual(results.did_you_mean, "因私出国签证办理")

    def test_the_api_says_total_0_with_did_you_mean(self):
        body = self.client.get("/api/kb/search", {"q": "火星签证"}).json()
        self.assertEqual(body["total"], 0)
        self.assertEqual(body["hits"], [])
        self.assertEqual(body["did_you_mean"], "因私出国签证办理")
        body = self.client.get("/api/kb/search", {"q": "签证 办理"}).json()
        self.assertEqual(body["total"], 1)
        self.assertIsNone(body["did_you_mean"])

    def test_the_page_says_so_with_12345_and_the_nearest_question(self):
        response = self.client.get("/kb/", {"q": "火星签证"})
        self.assertContains(response, "没有找到与“火星签证”相关的答复")
        self.assertContains(response, 'href="tel:12345"')
        self.assertContains(response, "您是不是想问")
        self.assertContains(response, "因私出国签证办理")

    def test_a_thesaurus_word_counts_as_covering_the_question(self):
        # 爬山 is not in the entry, its thesaurus word 登山 is.
        results = search_entries("爬山要注意啥")
        self.assertEqual(results.total, 1)
        self.assertEqual(results.hits[0].entry.matter, "登山中注意什么")

    def test_pinyin_beside_chinese_is_not_told_not_found(self):
        # The words daomangquan spells are not typed, so the share of the
        # question an entry holds cannot be read off the text: the index's
        # ranking (by sound) decides.
        make_entry(self.unit_a, "携带导盲犬是否可以乘坐轨道交通", "可以。")
        results = search_entries("daomangquan 能坐地铁吗")
        self.assertEqual(results.hits[0].entry.matter, "携带导盲犬是否可以乘坐轨道交通")
        # The same Chinese alone is still checked: 地铁 is in no entry.
        self.assertEqual(search_entries("能坐地铁吗").total, 0)

    def test_a_word_said_otherwise_counts_by_its_characters_in_the_title(self):
        # 驾照 is not in the entry, but both its characters are in the title:
        # the everyday word for 驾驶证 is answered, not told "not found".
        make_entry(self.unit_a, "驾驶证照片怎么采集", "到车管所拍摄。")
        results = search_entries("驾照")
        self.assertEqual(results.total, 1)
        self.assertEqual(results.hits[0].entry.matter, "驾驶证照片怎么采集")
