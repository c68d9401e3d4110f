from dangjian.experts.actions import do_save_expert
from dangjian.experts.models import Expert, Question
from dangjian.experts.routing import choose_expert, terms_of
from dangjian.experts.tests.base import QUESTION_TEXT, ExpertsTestCase
from dangjian.test import make_person


class RoutingTestCase(ExpertsTestCase):
    def test_it_routes_by_domain(self):
        question = self.submit(domain=self.tax)
        self.assertEqual(question.expert, self.expert)
        self.assertEqual(question.status, Question.Status.ASSIGNED)
        self.assertIsNotNone(question.assigned_at)

    def test_it_routes_by_text_when_the_domain_has_no_expert(self):
        # Nobody covers this domain; the text is about 稳岗返还, the social expert's keyword.
        orphan = type(self.tax).objects.create(name="其他")
        question = self.submit(
            text="企业没有裁员，想申请稳岗返还，失业保险费返还比例是多少？",
            domain=orphan,
        )
        self.assertEqual(question.expert, self.other)

    def test_text_overrides_a_wrongly_chosen_domain_only_with_strong_evidence(self):
        # The enterprise chose 税费 but wrote about 稳岗返还: the domain still wins,
        # because one keyword is weaker than the enterprise's own choice.
        question = self.submit(
            text="想了解稳岗返还怎么申请，需要准备什么材料？", domain=self.tax
        )
        self.assertEqual(question.expert, self.expert)

    def test_keywords_pick_the_specialist_among_experts_of_one_domain(self):
        person = make_person("income", "刘敏")
        specialist = do_save_expert(
            Expert(
                name="刘敏",
                unit=self.unit_a,
                person=person,
                keywords="所得税 公益捐赠 扣除 税前扣除",
            ),
            [self.tax],
        )
        question = self.submit(
            text="企业向疫区公益捐赠的物资，企业所得税能否税前全额扣除？"
        )
        self.assertEqual(question.expert, specialist)
        vat = self.submit(text=QUESTION_TEXT)
        self.assertEqual(vat.expert, self.expert)

    def test_it_balances_load_between_equally_suitable_experts(self):
        person = make_person("twin", "李同")
        twin = do_save_expert(
            Expert(
                name="李同",
                unit=self.unit_a,
                person=person,
                keywords="增值税 小规模纳税人",
            ),
            [self.tax],
        )
        first = self.submit()
        second = self.submit()
        third = self.submit()
        self.assertEqual({first.expert, second.expert}, {self.expert, twin})
        self.assertIn(third.expert, {self.expert, twin})
        counts = Expert.objects.with_open_counts().filter(
            pk__in=[self.expert.pk, twin.pk]
        )
        self.assertEqual(sorted(e.open_count for e in counts), [1, 2])

    def test_answered_questions_do_not_count_as_load(self):
        person = make_person("twin", "李同")
        twin = do_save_expert(
            Expert(
                name="李同",
                unit=self.unit_a,
                person=person,
                keywords="增值税 小规模纳税人",
            ),
            [self.tax],
        )
        first = self.submit()
        Question.objects.filter(pk=first.pk).update(status=Question.Status.ANSWERED)
        second = self.submit()
        # The first expert has nothing open again, so the tie goes to the lower id.
        self.assertEqual(second.expert, min(self.expert, twin, key=lambda e: e.pk))

    def test_inactive_experts_get_nothing(self):
        Expert.objects.filter(pk=self.expert.pk).update(is_active=False)
        question = self.submit()
        self.assertNotEqual(question.expert, self.expert)

    def test_a_question_waits_for_an_admin_when_there_are_no_experts(self):
        Expert.objects.update(is_active=False)
        self.assertIsNone(choose_expert(self.tax, QUESTION_TEXT))
        question = self.submit()
        self.assertIsNone(question.expert)
        self.assertEqual(question.status, Question.Status.NEW)

    def test_segmentation_drops_filler_words(self):
        terms = terms_of("请问我们公司怎么申请稳岗返还？")
        self.assertIn("稳岗", terms)
        self.assertNotIn("请问", terms)
        self.assertNotIn("公司", terms)
