"""A small hand-built city of records whose figures are known by hand.

The period is last month. Expected figures (rolled up the tree):

============  =====  ======  ==  ==  ======  ==  ==
metric        city   unit_a  a1  a2  unit_b  b1  note
============  =====  ======  ==  ==  ======  ==  ==
materials       4      3     2   1     1     1   secretary is in a1 too
videos          1      1     1   0     0     0
sessions        2      1     1   0     1     1
attendances     3      2     2   0     1     1
quiz            2      1     1   0     1     1   an unfinished one
votes           2      2     2   0     0     0   a voided, a by-phone vote
releases due    2      1     -   -     1     -
on time         1      1     -   -     0     -
kb entries      3      2     -   -     1     -   a draft is not counted
kb current      2      1     -   -     1     -
questions       4      3     -   -     1     -
in time         2      1     -   -     1     -
============  =====  ======  ==  ==  ======  ==  ==
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.disclosure import actions as disclosure_actions
from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureItemPage,
    ReleasePlan,
)
from dangjian.experts.models import Expert, PolicyDomain
from dangjian.experts.models import Question as ExpertQuestion
from dangjian.kb.models import Entry
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.quiz.models import Attempt, Mode, PaperTemplate
from dangjian.stats.figures import period_for
from dangjian.study.models import Attendance, Progress, StudySession
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.voting.identity import member_hash, phone_hash
from dangjian.voting.models import Campaign, Candidate, Vote


class ExampleTestCase(StudyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.period = period_for("month", timezone.localdate()).previous()
        start, end = cls.period.bounds()
        cls.inside = start + dt.timedelta(days=5, hours=3)
        cls.before = start - dt.timedelta(days=3)
        cls.after = end + dt.timedelta(hours=2)
        do_grant_role(cls.secretary, cls.branch_a1, Role.MEMBER)
        cls.build_study()
        cls.build_quiz()
        cls.build_votes()
        cls.build_releases()
        cls.build_kb()
        cls.build_experts()

    @classmethod
    def build_study(cls):
        done = [
            (cls.member, cls.article, cls.inside),
            (cls.member, cls.video, cls.inside),
            (cls.secretary, cls.article, cls.inside),
            (cls.sibling, cls.article, cls.inside),
            (cls.outsider, cls.article, cls.inside),
            (cls.outsider, cls.public_article, cls.before),
            (cls.sibling, cls.public_article, None),  # opened, never finished
        ]
        for person, material, when in done:
            Progress.objects.create(
                person=person,
                material=material,
                first_opened_at=cls.before,
                completed_at=when,
            )

        def session(org, starts, people):
            s = StudySession.objects.create(
                title=f"{org.name}学习会",
                type=StudySession.Type.SEMINAR,
                organisation=org,
                organiser=cls.secretary,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
            )
            for person in people:
                Attendance.objects.create(
                    session=s, person=person, method=Attendance.Method.ORGANISER
                )

        session(cls.branch_a1, cls.inside, [cls.member, cls.secretary])
        session(cls.branch_b1, cls.inside, [cls.outsider])
        session(cls.branch_a2, cls.after, [cls.sibling])

    @classmethod
    def build_quiz(cls):
        template = PaperTemplate.objects.create(
            name="每日答题", slug="daily", mode=Mode.DAILY, owner=cls.city
        )

        def attempt(person, status, submitted):
            Attempt.objects.create(
                person=person,
                template=template,
                mode=Mode.DAILY,
                status=status,
                seed=1,
                max_score=10,
                started_at=cls.inside,
                submitted_at=submitted,
            )

        attempt(cls.member, Attempt.Status.SUBMITTED, cls.inside)
        attempt(cls.outsider, Attempt.Status.TIMED_OUT, cls.inside)
        attempt(cls.sibling, Attempt.Status.IN_PROGRESS, None)

    @classmethod
    def build_votes(cls):
        campaign = Campaign.objects.create(
            title="晒党建",
            organisation=cls.city,
            starts_at=cls.before,
            ends_at=cls.after,
        )
        candidate = Candidate.objects.create(campaign=campaign, number=1, name="甲")

        def vote(voter, n, voided=False):
            Vote.objects.create(
                campaign=campaign,
                candidate=candidate,
                voter_hash=voter,
                day=cls.inside.date(),
                cast_at=cls.inside,
                network_hash=f"n{n}",
                voided_at=cls.inside if voided else None,
            )

        vote(member_hash(cls.member.pk), 1)
        vote(member_hash(cls.member.pk), 2)
        vote(phone_hash("13800000000"), 3)
        vote(member_hash(cls.outsider.pk), 4, voided=True)

    @classmethod
    def build_releases(cls):
        column = disclosure_actions.do_ensure_column(cls.home)
        section = disclosure_actions.do_ensure_section(cls.unit_a, column)
        category = DisclosureCategory.objects.get(name="党的组织建设")
        start = cls.period.start
        plans = [
            ReleasePlan.objects.create(
                organisation=unit,
                title="月度工作报告",
                category=category,
                frequency=ReleasePlan.Frequency.MONTHLY,
                due_day=10,
                owner=cls.secretary,
                starts_on=start.replace(month=1, day=1),
            )
            for unit in (cls.unit_a, cls.unit_b)
        ]
        # Last month's due date (the 10th) is for the month before it.
        previous = (start - dt.timedelta(days=1)).replace(day=1)
        item = DisclosureItemPage(
            title="月度工作报告",
            body="<p>报告</p>",
            category=category,
            scope="public",
            live=True,
            release_plan=plans[0],
            plan_period=f"{previous.year}-{previous.month:02d}",
        )
        section.add_child(instance=item)
        released = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
        DisclosureItemPage.objects.filter(pk=item.pk).update(
            first_published_at=released + dt.timedelta(days=7)
        )

    @classmethod
    def build_kb(cls):
        expired = cls.period.start + dt.timedelta(days=3)
        Entry.objects.create(
            matter="社保转移", answer="答", owner=cls.unit_a, live=True
        )
        Entry.objects.create(
            matter="旧政策",
            answer="答",
            owner=cls.unit_a,
            live=True,
            valid_until=expired,
        )
        Entry.objects.create(matter="草稿", answer="答", owner=cls.unit_a, live=False)
        Entry.objects.create(matter="户籍", answer="答", owner=cls.unit_b, live=True)

    @classmethod
    def build_experts(cls):
        domain = PolicyDomain.objects.create(name="税务")
        expert_a = Expert.objects.create(name="专员甲", unit=cls.unit_a)
        expert_b = Expert.objects.create(name="专员乙", unit=cls.unit_b)
        due = cls.inside + dt.timedelta(hours=48)

        def ask(expert, submitted, answered):
            ExpertQuestion.objects.create(
                company_name="某公司",
                contact_name="张三",
                mobile="13800000001",
                domain=domain,
                text="问题",
                expert=expert,
                submitted_at=submitted,
                due_at=submitted + dt.timedelta(hours=48),
                first_answered_at=answered,
            )

        ask(expert_a, cls.inside, cls.inside + dt.timedelta(hours=3))
        ask(expert_a, cls.inside, due + dt.timedelta(hours=1))
        ask(expert_a, cls.inside, None)
        ask(expert_a, cls.before, cls.before + dt.timedelta(hours=1))
        ask(expert_b, cls.inside, cls.inside + dt.timedelta(hours=1))
