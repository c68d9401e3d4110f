"""The sweep's city: the shared personas, sentinel content and unit-owned objects.

Unit A (市委宣传部) owns the sentinels: a released 党内 item with an attachment,
a plan-restricted study material with an attachment, a draft item in review,
and one object of every unit-owned model (kb entry, campaign, press
conference, quiz question/template/contest, publicity channel, expert and an
enterprise question with its private token and attachment, study plan,
session, spot check, release plan). Unit B (市公安局) owns a released 党内
item and the same kinds of objects, so that its staff are real staff with
something of their own, and the in-scope member of unit A is an outsider to
unit B's content.

Every secret carries ASCII markers (``sntl…``) at the start of its title,
body and file, so a leak is found whatever the response's encoding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Collection, Locale, Page

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.test import CityMixin, make_person

# Personas: name -> attribute of the test class (None: anonymous).
PERSONAS = {
    "anonymous": None,
    "outsider": "outsider",  # member of 公安局第一党支部 (unit B)
    "member": "member",  # member of 宣传部第一党支部 (in unit A's scope)
    "editor_b": "editor_b",  # editor of 市公安局
    "approver_b": "approver_b",  # approver of 市公安局
    "unit_admin_b": "unit_admin_b",  # unit admin of 市公安局 (dashboards, people)
    "admin": "admin",  # platform admin
}
# People who may see unit B's 党内 item (its audience is unit B).
UNIT_B_PEOPLE = frozenset(
    {"outsider", "editor_b", "approver_b", "unit_admin_b", "admin"}
)


@dataclass
class Secret:
    """Content only ``allowed`` personas may see, found by its markers."""

    label: str
    markers: dict[str, str]
    allowed: frozenset[str]
    objects: list = field(default_factory=list)


def marker(code: str, part: str) -> str:
    return f"sntl{code}{part}"


def _secret(code, label, allowed, parts=("t", "b")):
    return Secret(
        label=label,
        markers={part: marker(code, part) for part in parts},
        allowed=frozenset(allowed),
    )


SECRETS = {
    "a_internal": _secret(
        "11", "市委宣传部已发布的党内事项", {"member", "admin"}, ("t", "b", "f", "d")
    ),
    "a_study": _secret(
        "12", "市委宣传部学习计划内的受限学习资料", {"member", "admin"}, "tbfd"
    ),
    "a_draft": _secret("13", "市委宣传部审核中的草稿事项", {"admin"}, "tbfd"),
    "b_internal": _secret("21", "市公安局已发布的党内事项", UNIT_B_PEOPLE, "tbfd"),
    "a_kb_draft": _secret("31", "市委宣传部审核中的知识条目", {"admin"}),
    "a_campaign_draft": _secret("32", "市委宣传部未发布的投票", {"admin"}),
    "a_press_draft": _secret("33", "市委宣传部未发布的发布会", {"admin"}),
    "a_quiz_draft": _secret("34", "市委宣传部草稿题目", {"admin"}),
    "a_channel": _secret("35", "市委宣传部的推送渠道（名称与地址）", {"admin"}),
    "a_expert_question": _secret(
        "36", "企业向市委宣传部专员的提问（正文、企业、附件、令牌）", {"admin"}, "tbf"
    ),
    "a_spot_check": _secret("37", "市委宣传部的抽查", {"admin"}),
    # The member's own notification (and its failed SMS, for admins' failure lists).
    "a_notification": _secret("38", "成员本人的通知", {"member", "admin"}),
    # A member record of unit A: the name, and (added below) the full ID number.
    "a_member": _secret("39", "市委宣传部党员的档案（姓名、完整身份证号）", {"admin"}),
    # The account of one of unit A's members: another unit's staff pick people
    # in forms (recipients, participants, experts, grid workers...), never by
    # the names of unit A's people.
    "a_person": _secret(
        "43", "市委宣传部一名党员的账户（姓名）", {"admin", "member"}, parts=("t",)
    ),
    "a_outreach_event": _secret("40", "市委宣传部未公开的宣讲活动", {"admin"}),
    "a_orglife": _secret(
        "42", "市委宣传部党支部的发展对象、会议与发展材料", {"admin"}, "tbf"
    ),
    "a_outreach_grid": _secret(
        "41", "市委宣传部的网格（名称）与网格员的走访记录", {"admin"}
    ),
    "a_ticket": _secret("44", "派给市委宣传部的 12345 工单（诉求与答复）", {"admin"}),
}


def markers_of(label: str) -> list[str]:
    return list(SECRETS[label].markers.values())


def _document(title: str, name: str, content: str) -> Document:
    document = Document(title=title, collection=Collection.get_first_root_node())
    document.file.save(name, ContentFile(content.encode()), save=False)
    document.save()
    return document


class SweepCity(CityMixin):
    """Builds everything the sweep needs; call ``build_sweep_city`` once per class."""

    documents: list[Any]
    expert_attachment: Any
    recruit_documents: list[Any]

    @classmethod
    def build_sweep_city(cls):
        from dangjian.portal.demo import ensure_home

        cls.build_city()
        if Page.get_first_root_node() is None:  # only under --nomigrations
            Locale.objects.get_or_create(language_code="zh-hans")
            Page.add_root(instance=Page(title="Root", slug="root"))
            Collection.add_root(name="Root")
        cls.approver_b = make_person("approver_b", "公安局审批人")
        cls.reviewer_b = make_person("reviewer_b", "公安局审查员")
        cls.unit_admin_b = make_person("unit_admin_b", "公安局管理员")
        do_grant_role(cls.approver_b, cls.unit_b, Role.APPROVER)
        do_grant_role(cls.unit_admin_b, cls.unit_b, Role.UNIT_ADMIN)
        do_grant_role(cls.reviewer_b, cls.unit_b, Role.REVIEWER)
        cls.home = ensure_home()
        cls.tracked = []  # unit A objects no other unit may change
        cls._disclosure()
        cls._study()
        cls._kb()
        cls._voting()
        cls._quiz()
        cls._publicity()
        cls._experts()
        cls._notify()
        cls._members()
        cls._outreach()
        cls._people()
        cls._orglife()
        cls._tickets()
        cls._generic()

    @classmethod
    def _people(cls):
        s = SECRETS["a_person"].markers
        from dangjian.outreach.models import GridWorker

        person = make_person("aa_sweep_person", f"{s['t']}钱党员")
        do_grant_role(person, cls.branch_a2, Role.MEMBER)
        # Unit A's grid worker: the platform admin meets the name in the grid
        # workers' admin (the positive control).
        GridWorker.objects.filter(grid__unit=cls.unit_a).update(person=person)
        SECRETS["a_person"].objects = [person]

    @classmethod
    def _generic(cls):
        """Objects some admin routes need: an image, a redirect, deliveries."""
        from django.core.files.images import ImageFile
        from wagtail.contrib.redirects.models import Redirect
        from wagtail.images.models import Image

        from dangjian.publicity.actions import do_record_release
        from dangjian.publicity.models import Delivery
        from dangjian.study.tests.helpers import MEDIA

        with (MEDIA / "demo-poster.png").open("rb") as handle:
            cls.image = Image(title="封面", collection=Collection.get_first_root_node())
            cls.image.file.save("poster.png", ImageFile(handle), save=False)
            cls.image.save()
        cls.collection = Collection.get_first_root_node().add_child(name="宣传部文件")
        cls.tracked.append(cls.collection)
        cls.redirect = Redirect.objects.create(old_path="/old-path", redirect_link="/")
        from dangjian.orgs.actions import do_issue_token
        from dangjian.study.actions import do_award_points, ensure_rules
        from dangjian.study.demo import ensure_scheme
        from dangjian.study.models import PointEntry, PointRule, Video

        cls.api_token, _key = do_issue_token(cls.member, name="成员的令牌")
        ensure_rules()
        rule = PointRule.objects.order_by("pk").first()
        do_award_points(cls.member, rule.kind, source="sweep:1", label="学习")
        cls.point_entry = PointEntry.objects.filter(person=cls.member).first()
        cls.scheme = ensure_scheme()
        cls.video = Video(title="短视频")
        with (MEDIA / "demo-video.webm").open("rb") as handle:
            cls.video.file.save("demo.webm", ContentFile(handle.read()), save=False)
        cls.video.save()
        cls.tracked += [cls.api_token, cls.point_entry, cls.video]
        do_record_release(cls.public_item)
        cls.deliveries = list(Delivery.objects.filter(organisation=cls.unit_a))
        # Views of every sentinel, so that "top viewed" lists have them.
        from django.contrib.contenttypes.models import ContentType

        from dangjian.stats.models import DailyViews

        today = timezone.localdate()
        for n, obj in enumerate(
            [cls.a_internal, cls.a_study, cls.a_draft, cls.b_internal, cls.kb_draft]
            + [cls.campaigns["a_draft"], cls.press_a_draft, cls.public_item]
        ):
            for days in (0, 1, 5):
                DailyViews.objects.create(
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=obj.pk,
                    day=today - dt.timedelta(days=days),
                    channel="direct",
                    views=100 + n,
                    visitors=10,
                )
        cls.documents = [
            cls.a_internal_doc,
            cls.a_study_doc,
            cls.a_draft_doc,
            cls.b_internal_doc,
        ]

    @classmethod
    def media_paths(cls) -> list[str]:
        """Spellings under /media/ of every private file's storage name."""
        names = [d.file.name for d in cls.documents]
        names.append(cls.expert_attachment.file.name)
        names += [d.file.name for d in cls.recruit_documents]
        paths = []
        for name in names:
            head, _sep, tail = name.partition("/")
            paths += [
                f"/media/{name}",
                f"/media//{name}",
                f"/media/./{name}",
                f"/media/%2e/{name}",
                f"/media/%2F{name}",
                f"/media/{head}%2F{tail}",
                f"/media/{head}/../{name}",
                f"/media/documents/{name.rsplit('/', 1)[-1]}",
                f"/media//documents/{name.rsplit('/', 1)[-1]}",
                f"/media/%2e/documents/{name.rsplit('/', 1)[-1]}",
                f"/media/%2Fdocuments/{name.rsplit('/', 1)[-1]}",
            ]
        return list(dict.fromkeys(paths))

    # --- Disclosure ------------------------------------------------------------

    @classmethod
    def _draft_item(cls, title, body, *, section, editor, slug, **fields):
        from dangjian.disclosure.models import DisclosureCategory, DisclosureItemPage

        page = DisclosureItemPage(
            title=title,
            slug=slug,
            body=body,
            category=DisclosureCategory.objects.get(name="党的组织建设"),
            scope="internal",
            include_descendants=True,
            live=False,
            owner=editor,
            **fields,
        )
        page.audience = [section.organisation]
        section.add_child(instance=page)
        page.save_revision(user=editor)
        return page

    @classmethod
    def _release(cls, page, editor, reviewer, approver):
        from dangjian.disclosure import actions
        from dangjian.disclosure.models import DisclosureItemPage

        actions.do_submit_item(page, acting_user=editor)
        task_state = actions.current_task_state(page)
        if task_state is not None:
            for flag in actions.flags_for(page, task_state.revision):
                actions.do_decide_flag(
                    flag,
                    decision="publishable",
                    reason="经核实可公开",
                    acting_user=reviewer,
                )
            for user in (reviewer, approver):
                task_state = actions.current_task_state(page)
                actions.do_task_action(
                    task_state, action="approve", comment="", acting_user=user
                )
        return DisclosureItemPage.objects.get(pk=page.pk)

    @classmethod
    def _item_with_attachment(cls, label, *, section, editor, slug):
        from dangjian.disclosure.models import DisclosureAttachment

        s = SECRETS[label].markers
        page = cls._draft_item(
            f"{s['t']} 关于红旗渠精神专题研讨的党内通知",
            f"<p>{s['b']} 各支部学习红旗渠精神，开展专题研讨。</p>",
            section=section,
            editor=editor,
            slug=slug,
        )
        document = _document(
            f"{s['d']} 研讨名单", f"{slug}.txt", f"{s['f']} 研讨名单（党内）"
        )
        DisclosureAttachment.objects.create(page=page, document=document)
        page.save_revision(user=editor)
        return page, document

    @classmethod
    def _disclosure(cls):
        from dangjian.disclosure import actions
        from dangjian.disclosure.models import (
            DisclosureCategory,
            PressConference,
            ReleasePlan,
        )

        cls.disclosure_column = actions.do_ensure_column(cls.home)
        cls.disclosure_a = actions.do_ensure_section(cls.unit_a, cls.disclosure_column)
        cls.disclosure_b = actions.do_ensure_section(cls.unit_b, cls.disclosure_column)
        cls.public_item = cls._release(
            cls._public_item(), cls.editor, cls.reviewer, cls.approver
        )
        page, cls.a_internal_doc = cls._item_with_attachment(
            "a_internal", section=cls.disclosure_a, editor=cls.editor, slug="a-internal"
        )
        cls.a_internal = cls._release(page, cls.editor, cls.reviewer, cls.approver)
        page, cls.a_draft_doc = cls._item_with_attachment(
            "a_draft", section=cls.disclosure_a, editor=cls.editor, slug="a-draft"
        )
        actions.do_submit_item(page, acting_user=cls.editor)  # waits in review
        cls.a_draft = page
        page, cls.b_internal_doc = cls._item_with_attachment(
            "b_internal", section=cls.disclosure_b, editor=cls.editor_b, slug="b-int"
        )
        cls.b_internal = cls._release(
            page, cls.editor_b, cls.reviewer_b, cls.approver_b
        )
        SECRETS["a_internal"].objects = [cls.a_internal, cls.a_internal_doc]
        SECRETS["a_draft"].objects = [cls.a_draft, cls.a_draft_doc]
        SECRETS["b_internal"].objects = [cls.b_internal, cls.b_internal_doc]

        category = DisclosureCategory.objects.get(name="党的组织建设")
        cls.release_plan_a = ReleasePlan.objects.create(
            organisation=cls.unit_a,
            title="宣传部月度工作通报",
            category=category,
            frequency=ReleasePlan.Frequency.choices[0][0],
            due_day=5,
            owner=cls.editor,
        )
        now = timezone.now()
        press = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            for live in (True, False):
                s = SECRETS["a_press_draft"].markers
                title = (
                    f"{s['t']} 宣传部专题新闻发布会（筹备中）"
                    if (key, live) == ("a", False)
                    else f"{unit.name}新闻发布会"
                )
                conference = PressConference(
                    title=title,
                    held_at=now - dt.timedelta(days=3),
                    host_unit=unit,
                    summary=(s["b"] + " 筹备情况") if title.startswith(s["t"]) else "",
                    live=False,
                )
                conference.save()
                revision = conference.save_revision()
                if live:
                    revision.publish()
                press[key, live] = conference
        cls.press_a = press["a", True]
        cls.press_a_draft = press["a", False]
        SECRETS["a_press_draft"].objects = [cls.press_a_draft]
        cls.tracked += [
            cls.public_item,
            cls.a_internal,
            cls.a_draft,
            cls.a_internal_doc,
            cls.a_draft_doc,
            cls.disclosure_a,
            cls.release_plan_a,
            cls.press_a,
            cls.press_a_draft,
        ]

    @classmethod
    def _public_item(cls):
        from dangjian.disclosure.models import DisclosureCategory, DisclosureItemPage

        page = DisclosureItemPage(
            title="市委宣传部2026年度工作要点",
            slug="public-item",
            body="<p>全面从严治党永远在路上。</p>",
            category=DisclosureCategory.objects.get(name="党的组织建设"),
            scope="public",
            live=False,
            owner=cls.editor,
        )
        cls.disclosure_a.add_child(instance=page)
        page.save_revision(user=cls.editor)
        return page

    # --- Study -------------------------------------------------------------------

    @classmethod
    def _study(cls):
        from dangjian.study import actions
        from dangjian.study.models import (
            MaterialAttachment,
            MaterialPage,
            PlanItem,
            SpotCheck,
            StudyPlan,
            StudySession,
            Topic,
        )

        cls.study_column = actions.do_ensure_column(cls.home)
        cls.study_a = actions.do_ensure_section(cls.unit_a, cls.study_column)
        cls.study_b = actions.do_ensure_section(cls.unit_b, cls.study_column)
        topic = Topic.objects.create(name="二十大报告")
        s = SECRETS["a_study"].markers
        cls.a_study = actions.do_publish_material(
            cls.study_a,
            MaterialPage(
                title=f"{s['t']} 学习辅导材料（党内）",
                slug="a-study",
                topic=topic,
                body=f"<p>{s['b']} 坚持以人民为中心的发展思想。</p>",
                kind=MaterialPage.Kind.DOCUMENT,
                visibility=MaterialPage.Visibility.PLAN,
            ),
            acting_user=cls.admin,
        )
        cls.a_study_doc = _document(
            f"{s['d']} 学习辅导材料", "a-study.txt", f"{s['f']} 辅导材料全文"
        )
        MaterialAttachment.objects.create(
            page=cls.a_study, document=cls.a_study_doc, sort_order=0
        )
        cls.a_study.save_revision(user=cls.admin).publish(user=cls.admin)
        cls.public_material = actions.do_publish_material(
            cls.study_a,
            MaterialPage(
                title="公开的学习资料",
                slug="public-study",
                topic=topic,
                body="<p>公开内容。</p>",
                visibility=MaterialPage.Visibility.PUBLIC,
            ),
            acting_user=cls.admin,
        )
        today = timezone.localdate()
        cls.plans = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            plan = StudyPlan.objects.create(
                title=f"{unit.name}二十大精神学习计划",
                owner=unit,
                starts_on=today - dt.timedelta(days=10),
                deadline=today + dt.timedelta(days=10),
            )
            plan.audience.set([unit])
            plan.save()
            cls.plans[key] = plan
        PlanItem.objects.create(plan=cls.plans["a"], material=cls.a_study, sort_order=0)
        SECRETS["a_study"].objects = [cls.a_study, cls.a_study_doc]
        now = timezone.now()
        cls.session_a = StudySession.objects.create(
            title="宣传部第一党支部专题研讨会",
            type=StudySession.Type.choices[0][0],
            organisation=cls.branch_a1,
            organiser=cls.editor,
            starts_at=now - dt.timedelta(days=2),
            ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=2),
        )
        s = SECRETS["a_spot_check"].markers
        cls.spot_check_a = SpotCheck.objects.create(
            organisation=cls.unit_a,
            title=f"{s['t']} 宣传部第一季度抽查",
            period_start=today - dt.timedelta(days=30),
            period_end=today,
            sample_size=1,
            seed=7,
            created_by=cls.admin,
        )
        SECRETS["a_spot_check"].objects = [cls.spot_check_a]
        # The member has opened the restricted material: a reading of theirs.
        cls.reading = actions.do_open_material(cls.a_study, cls.member)
        cls.tracked += [
            cls.a_study,
            cls.a_study_doc,
            cls.study_a,
            cls.plans["a"],
            cls.session_a,
            cls.spot_check_a,
        ]

    # --- Knowledge base ------------------------------------------------------------

    @classmethod
    def _kb(cls):
        from wagtail.models import Workflow

        from dangjian.kb.demo import ensure_review_workflow
        from dangjian.kb.models import Entry, LearnedAnswer

        ensure_review_workflow()
        cls.entries = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            entry = Entry.objects.create(
                owner=unit,
                matter=f"{unit.name}居住证办理",
                answer="到窗口办理。",
                live=True,
            )
            entry.save_revision(user=cls.admin).publish(user=cls.admin)
            cls.entries[key] = entry
        # A question learned from the search log, awaiting an admin.
        LearnedAnswer.objects.create(
            query="居住证咋办",
            entry=cls.entries["a"],
            searches=3,
            examples="居住证咋办",
        )
        s = SECRETS["a_kb_draft"].markers
        draft = Entry.objects.create(
            owner=cls.unit_a,
            matter=f"{s['t']} 尚未审核的新政策答复",
            answer=f"{s['b']} 拟答复口径。",
            live=False,
        )
        draft.save_revision(user=cls.editor)
        workflow = Workflow.objects.get(name="12345 知识条目审核")
        workflow.start(draft, cls.editor)
        cls.kb_draft = draft
        SECRETS["a_kb_draft"].objects = [draft]
        cls.tracked += [cls.entries["a"], draft]

    # --- Votes ---------------------------------------------------------------------

    @classmethod
    def _voting(cls):
        from dangjian.voting.models import Campaign, Candidate
        from dangjian.voting.rules import forget_rules

        now = timezone.now()
        cls.campaigns = {}
        s = SECRETS["a_campaign_draft"].markers
        for unit, key, live in (
            (cls.unit_a, "a", True),
            (cls.unit_a, "a_draft", False),
            (cls.unit_b, "b", True),
        ):
            title = (
                f"{s['t']} 晒党建晒成绩（筹备中）"
                if key == "a_draft"
                else f"{unit.name}晒党建晒成绩"
            )
            campaign = Campaign.objects.create(
                organisation=unit,
                title=title,
                description=(s["b"] + " 评选说明") if key == "a_draft" else "",
                starts_at=now - dt.timedelta(days=1),
                ends_at=now + dt.timedelta(days=10),
                live=False,
            )
            Candidate.objects.create(campaign=campaign, number=1, name="候选人甲")
            revision = campaign.save_revision()
            if live:
                revision.publish()
            cls.campaigns[key] = Campaign.objects.get(pk=campaign.pk)
        forget_rules()
        SECRETS["a_campaign_draft"].objects = [cls.campaigns["a_draft"]]
        cls.candidate = cls.campaigns["a"].candidates.get()
        cls.tracked += [cls.campaigns["a"], cls.campaigns["a_draft"]]

    # --- Quiz ------------------------------------------------------------------------

    @classmethod
    def _quiz(cls):
        from dangjian.quiz import actions
        from dangjian.quiz.draw import invalidate_pool
        from dangjian.quiz.grading import dedup_key
        from dangjian.quiz.models import (
            Contest,
            Mode,
            PaperRule,
            PaperTemplate,
            Question,
        )

        def question(owner, n, stem, status=Question.Status.REVIEWED):
            options = [f"选项{n}甲", f"选项{n}乙", f"选项{n}丙"]
            return Question.objects.create(
                owner=owner,
                type="single",
                stem=stem,
                options=options,
                answer=[1],
                explanation="解析。",
                category="二十大",
                status=status,
                dedup_key=dedup_key(stem, options),
            )

        for n in range(1, 4):
            question(cls.unit_a, n, f"二十大题目{n}（ ）")
        s = SECRETS["a_quiz_draft"].markers
        cls.quiz_draft = question(
            cls.unit_a, 9, f"{s['t']} 草稿题目（ ）", status=Question.Status.DRAFT
        )
        SECRETS["a_quiz_draft"].objects = [cls.quiz_draft]
        cls.templates, cls.contests = {}, {}
        now = timezone.now()
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            template = PaperTemplate.objects.create(
                name=f"{unit.name}专项练习",
                slug=f"special-{key}",
                mode=Mode.SPECIAL,
                owner=unit,
            )
            PaperRule.objects.create(
                template=template,
                sort_order=0,
                question_type="single",
                category="二十大",
                count=2,
                points=Decimal(5),
            )
            contest = Contest.objects.create(
                title=f"{unit.name}知识竞赛",
                template=template,
                owner=unit,
                starts_at=now - dt.timedelta(days=1),
                ends_at=now + dt.timedelta(days=6),
            )
            contest.eligible.set([unit])
            cls.templates[key], cls.contests[key] = template, contest
        invalidate_pool()
        attempt = actions.check_start_attempt(cls.member, contest=cls.contests["a"])
        cls.attempt = attempt[0] if isinstance(attempt, tuple) else attempt
        cls.tracked += [
            cls.quiz_draft,
            cls.templates["a"],
            cls.contests["a"],
            Question.objects.filter(owner=cls.unit_a).exclude(pk=cls.quiz_draft.pk)[0],
        ]

    # --- Publicity ---------------------------------------------------------------------

    @classmethod
    def _publicity(cls):
        from dangjian.publicity.models import Channel

        s = SECRETS["a_channel"].markers
        cls.channel_a = Channel.objects.create(
            name=f"{s['t']} 宣传部公众号推送",
            organisation=cls.unit_a,
            kind=Channel.Kind.WEBHOOK,
            # An address literal: the guard does not look it up.
            url=f"https://8.8.8.8/hooks/{s['b']}",
        )
        cls.channel_b = Channel.objects.create(
            name="公安局公众号推送",
            organisation=cls.unit_b,
            kind=Channel.Kind.WEBHOOK,
            url="https://8.8.4.4/hooks/b",
        )
        SECRETS["a_channel"].objects = [cls.channel_a]
        cls.tracked += [cls.channel_a]

    # --- Notifications ---------------------------------------------------------------

    @classmethod
    def _notify(cls):
        from dangjian.notify.delivery import fan_out
        from dangjian.notify.models import Delivery, Notification
        from dangjian.notify.service import notify

        s = SECRETS["a_notification"].markers
        dispatch = notify(
            "notify.announcement",
            [cls.member],
            {"title": f"{s['t']} 个人通知", "body": f"{s['b']} 仅本人可见", "url": "/"},
            "sweep:notification:member",
        )
        fan_out(dispatch.pk)
        cls.notification_a = Notification.objects.get(dispatch=dispatch)
        Delivery.objects.create(
            notification=cls.notification_a,
            recipient=cls.member,
            channel="sms",
            status=Delivery.Status.FAILED,
            attempts=5,
            last_error="网关拒绝",
        )
        SECRETS["a_notification"].objects = [cls.notification_a]
        # The outsider's own notification: what the other personas open as theirs.
        dispatch = notify(
            "notify.announcement",
            [cls.outsider],
            {"title": "公安局通知", "url": "/"},
            "sweep:notification:outsider",
        )
        fan_out(dispatch.pk)
        cls.notification_b = Notification.objects.get(dispatch=dispatch)

    # --- Members ---------------------------------------------------------------------

    @classmethod
    def _members(cls):
        from dangjian.members.importer import import_roster
        from dangjian.members.models import MemberProfile
        from dangjian.members.tests.helpers import csv_bytes, id_number, row
        from dangjian.members.transfers import do_request_transfer

        s = SECRETS["a_member"].markers
        secret_id = id_number(838)
        import_roster(
            "a.csv",
            csv_bytes(
                [
                    row(f"{s['t']}赵党员", 838, "宣传部第二党支部"),
                    row("张党员", 839, "宣传部第一党支部"),
                    row(f"{s['t']}孙党员", 841, "宣传部第二党支部"),
                ]
            ),
            user=cls.admin,
        )
        import_roster(
            "b.csv", csv_bytes([row("李群众", 840, "公安局第一党支部")]), user=cls.admin
        )
        SECRETS["a_member"].markers["k"] = secret_id
        cls.profile_a = MemberProfile.objects.get(name=f"{s['t']}赵党员")
        cls.profile_b = MemberProfile.objects.get(name="李群众")
        # The record carries the marker, not the account: other apps' person
        # pickers list every account's name (an orgs matter, not the record).
        person = cls.profile_a.person
        person.name = "赵党员"
        person.save(update_fields=["name"])
        cls.transfer_a = do_request_transfer(
            cls.profile_a,
            cls.branch_a1,
            effective_on=timezone.localdate() + dt.timedelta(days=7),
            reason="工作调动",
            acting_user=cls.admin,
        )
        from dangjian.members.letters import check_issue_letter

        leaving = MemberProfile.objects.get(name=f"{s['t']}孙党员")
        leaving.person.name = "孙党员"
        leaving.person.save(update_fields=["name"])
        cls.letter_a = check_issue_letter(
            leaving, destination="中共外市委组织部", acting_user=cls.admin
        )
        SECRETS["a_member"].objects = [cls.profile_a]
        cls.tracked += [cls.profile_a, cls.transfer_a, cls.letter_a]

    # --- Experts ---------------------------------------------------------------------

    @classmethod
    def _outreach(cls):
        """A lecture team, venue, events (one not public), a grid with a
        worker, a push and a visit for each unit; unit A's are sentinels."""
        from dangjian.orgs.models import Organisation
        from dangjian.outreach.actions import do_log_visit, do_push_item
        from dangjian.outreach.models import (
            Event,
            Grid,
            GridWorker,
            Lecturer,
            LectureTeam,
            Rating,
            Venue,
        )

        cls.city.refresh_from_db()
        district = cls.city.add_child(name="示范区", kind=Organisation.Kind.DISTRICT)
        cls.city.refresh_from_db()
        now = timezone.now()
        cls.outreach = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            team = LectureTeam.objects.create(unit=unit, name=f"{unit.name}宣讲团")
            lecturer = Lecturer.objects.create(
                team=team, name=f"{unit.name}宣讲员", phone="13900000000"
            )
            venue = Venue.objects.create(
                unit=unit,
                district=district,
                kind=Venue.Kind.STATION,
                name=f"{unit.name}实践站",
            )
            event = Event.objects.create(
                team=team,
                topic=f"{unit.name}公开宣讲",
                venue=venue,
                starts_at=now + dt.timedelta(days=1),
                ends_at=now + dt.timedelta(days=1, hours=2),
            )
            s = SECRETS["a_outreach_event"].markers if key == "a" else {}
            hidden = Event.objects.create(
                team=team,
                topic=f"{s.get('t', '')} {unit.name}内部宣讲筹备",
                summary=f"{s.get('b', '')} 筹备会安排",
                venue=venue,
                is_public=False,
                starts_at=now + dt.timedelta(days=3),
                ends_at=now + dt.timedelta(days=3, hours=1),
            )
            g = SECRETS["a_outreach_grid"].markers if key == "a" else {}
            grid = Grid.objects.create(
                unit=unit, community=f"{g.get('t', '')} 宣传社区", name="第一网格"
            )
            worker = GridWorker.objects.create(
                grid=grid, person=make_person(f"grid_{key}", f"{unit.name}网格员")
            )
            push = do_push_item(
                worker,
                kind="disclosure",
                object_id=cls.public_item.pk,
                title="公开事项",
                url="http://testserver/",
                channel="wechat",
            )
            visit = do_log_visit(
                worker,
                day=timezone.localdate(),
                households=5,
                topics="政策宣讲",
                note=f"{g.get('b', '')} 走访记录",
            )
            rating = Rating.objects.create(
                event=event, score=4, comment="讲得好", device_hash=f"sweep-{key}"
            )
            cls.outreach[key] = event
            cls.outreach[f"{key}_hidden"] = hidden
            if key == "a":
                cls.tracked += [team, lecturer, venue, event, hidden, grid, worker]
                cls.tracked += [push, visit, rating]
        SECRETS["a_outreach_event"].objects = [cls.outreach["a_hidden"]]

    @classmethod
    def _orglife(cls):
        """A held meeting with attendance, a recruit, dues and a review in a
        branch of each unit; unit A's carry the markers (recruit's name,
        meeting's topic)."""
        from dangjian.orglife.actions import (
            AttendanceRow,
            do_declare_base,
            do_plan_meeting,
            do_record_meeting,
            do_record_payment,
        )
        from dangjian.orglife.models import (
            EvaluationCampaign,
            HolidayOverride,
            Recruit,
            RecruitDocument,
            RecruitStep,
        )

        # The platform's holiday table (admin-only) needs a row for its views.
        HolidayOverride.objects.create(
            day=dt.date(2031, 10, 1), is_workday=False, note="国庆节"
        )
        cls.orglife = {}
        cls.recruit_documents = []
        for branch, person, key in (
            (cls.branch_a1, cls.member, "a"),
            (cls.branch_b1, cls.outsider, "b"),
        ):
            s = SECRETS["a_orglife"].markers if key == "a" else {}
            meeting = do_plan_meeting(
                branch,
                "committee",
                f"{s.get('b', '')}支部委员会",
                dt.date(2025, 3, 3),
                send_notice=False,
            )
            do_record_meeting(
                meeting, dt.date(2025, 3, 4), [AttendanceRow(person.pk, "present")]
            )
            recruit = Recruit.objects.create(
                branch=branch,
                name=f"{s.get('t', '')}申请人",
                birth_date=dt.date(2000, 1, 1),
                applied_on=dt.date(2024, 1, 1),
            )
            declaration = do_declare_base(
                person, branch, 2025, "employed", "6000", confirm=True
            )
            (payment,) = do_record_payment(declaration, [dt.date(2025, 1, 1)], "cash")
            campaign = EvaluationCampaign.objects.create(branch=branch, year=2025)
            # A step's document in the private store (the file carries the marker).
            step = RecruitStep.objects.create(
                recruit=recruit, stage="applicant", on=dt.date(2024, 1, 1)
            )
            document = RecruitDocument(
                step=step,
                title=f"{s.get('t', '')}入党申请书",
                original_name="申请书.pdf",
                size=0,
                content_type="application/pdf",
            )
            content = f"%PDF-1.4 {s.get('f', '')}".encode()
            document.size = len(content)
            document.file.save("申请书.pdf", ContentFile(content), save=False)
            document.save()
            cls.recruit_documents.append(document)
            cls.orglife[key] = meeting
            cls.orglife[f"{key}_recruit"] = recruit
            cls.orglife[f"{key}_document"] = document
            if key == "a":
                cls.tracked += [meeting, recruit, declaration, payment, campaign]
        SECRETS["a_orglife"].objects = [cls.orglife["a"]]

    @classmethod
    def _tickets(cls):
        """A 12345 ticket dispatched to each unit (unit A's a sentinel, signed
        and answered), a dispatch rule each, and an operator of the hotline."""
        from dangjian.tickets import actions
        from dangjian.tickets.classifier import train
        from dangjian.tickets.models import DispatchRule
        from dangjian.tickets.operators import do_make_operator
        from dangjian.tickets.routing import store
        from dangjian.tickets.tests.base import tiny_messages

        store(train(tiny_messages(), seed=1))
        operator = make_person("sweep_operator", "话务员")
        do_make_operator(operator)
        s = SECRETS["a_ticket"].markers
        cls.tickets = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            rule = DispatchRule.objects.create(domain=f"领域{key}", unit=unit)
            marks = s if key == "a" else {}
            ticket = actions.check_receive(
                actions.Intake(
                    text=f"{marks.get('t', '')} 小区房屋漏水无人维修",
                    caller_phone="13800138000",
                    unit_id=unit.pk,
                ),
                user=operator,
            )
            cls.tickets[key] = ticket
            if key == "a":
                actions.check_sign(ticket, user=cls.editor)
                actions.check_reply(ticket, f"{marks['b']} 已维修", user=cls.editor)
                cls.tracked += [ticket, rule, *ticket.events.all()]
        SECRETS["a_ticket"].objects = [cls.tickets["a"]]

    @classmethod
    def _experts(cls):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from dangjian.experts.actions import do_save_expert, do_submit_question
        from dangjian.experts.models import Expert, PolicyDomain

        cls.domain = PolicyDomain.objects.create(name="税费减免", keywords="税 增值税")
        cls.experts = {}
        for unit, key in ((cls.unit_a, "a"), (cls.unit_b, "b")):
            person = make_person(f"expert_{key}", f"{unit.name}专员")
            cls.experts[key] = do_save_expert(
                Expert(
                    name=f"{unit.name}专员", unit=unit, person=person, keywords="税"
                ),
                [cls.domain] if key == "a" else [],
            )
        s = SECRETS["a_expert_question"].markers
        cls.expert_question, _created = do_submit_question(
            company_name=f"{s['t']} 恒达建材有限公司",
            contact_name="张伟",
            mobile="13947312345",
            domain=cls.domain,
            text=f"{s['b']} 小规模纳税人增值税能否减免？",
            attachments=[
                SimpleUploadedFile(
                    "q.txt", f"{s['f']} 企业财务报表".encode(), "text/plain"
                )
            ],
            submission_key="sweep-key-0001",
        )
        # The private token is a secret too.
        SECRETS["a_expert_question"].markers["k"] = cls.expert_question.token
        SECRETS["a_expert_question"].objects = [cls.expert_question]
        cls.expert_attachment = cls.expert_question.attachments.get()
        # A question whose token the sweep may use for the public tracking page.
        cls.public_question, _created = do_submit_question(
            company_name="公开跟踪企业",
            contact_name="李明",
            mobile="13947300000",
            domain=cls.domain,
            text="稳岗返还怎么申请？",
        )
        cls.tracked += [cls.experts["a"], cls.expert_question]
