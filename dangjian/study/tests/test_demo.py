from dangjian.lib.demo import DemoContext
from dangjian.study import demo
from dangjian.study.models import (
    AssessmentRun,
    Attendance,
    MaterialPage,
    PointEntry,
    SpotCheckItem,
    StudyPlan,
    StudySession,
)
from dangjian.study.tests.helpers import StudyTestCase


class DemoTestCase(StudyTestCase):
    def context(self):
        ctx = DemoContext(data_dir=None, write=lambda *a: None)
        ctx.units = {
            "市委宣传部": self.unit_a,
            "市委宣传部机关第一党支部": self.branch_a1,
            "市公安局": self.unit_b,
        }
        ctx.people = {
            "admin": self.admin,
            "approver": self.approver,
            "member": self.member,
        }
        return ctx

    def counts(self):
        return [
            m.objects.count()
            for m in (
                MaterialPage,
                StudyPlan,
                StudySession,
                Attendance,
                PointEntry,
                SpotCheckItem,
                AssessmentRun,
            )
        ]

    def test_the_builtin_demo_loads_once(self):
        MaterialPage.objects.all().delete()
        summary = demo.load(self.context())
        self.assertIn("3 篇文章", summary)
        first = self.counts()
        demo.load(self.context())
        self.assertEqual(self.counts(), first)
        # The demo member attended the two past sessions they were meant to.
        self.assertEqual(Attendance.objects.filter(person=self.member).count(), 2)
        self.assertTrue(PointEntry.objects.filter(person=self.member).exists())
