"""Own unit only, proved on every admin view of every unit-owned model.

The views are not listed by hand: they come from Wagtail's registry of admin
viewsets (and the snippets' chooser viewsets), so a viewset added later is
swept too. A unit-owned model without a fixture below fails the sweep.
"""

from __future__ import annotations

import datetime as dt

from django.core.checks import Error
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import RevisionMixin
from wagtail.permissions import policy_registry

from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureItemPage,
    PressConference,
    ReleasePlan,
)
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.experts.models import Expert, PolicyDomain
from dangjian.experts.models import Question as ExpertQuestion
from dangjian.kb.models import Entry
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.checks import (
    check_admin_viewsets_are_unit_scoped,
    registered_admin_viewsets,
    unit_fields,
)
from dangjian.orgs.models import Membership, Role
from dangjian.orgs.permissions import UnitPermissionPolicy, scoped_queryset
from dangjian.publicity.models import Channel, Delivery, Release
from dangjian.quiz.models import Contest, Mode, PaperTemplate
from dangjian.quiz.models import Question as QuizQuestion
from dangjian.study.models import StudyPlan, StudySession, Video
from dangjian.test import make_person
from dangjian.voting.models import Campaign

SENTINEL = "甲单位哨兵"


def _fixtures(case) -> dict[str, object]:
    """One row of unit A (市委宣传部) for every unit-owned model with an admin."""
    unit = case.unit_a
    now = timezone.now()
    domain = PolicyDomain.objects.create(name="税费减免")
    expert = Expert.objects.create(name=f"{SENTINEL}专员", unit=unit)
    template = PaperTemplate.objects.create(
        name=f"{SENTINEL}组卷", slug="sentinel", mode=Mode.SPECIAL, owner=unit
    )
    channel = Channel.objects.create(name=f"{SENTINEL}渠道", organisation=unit)
    release = Release.objects.create(
        kind=Release.Kind.KB, object_id=1, title=f"{SENTINEL}发布", url="/x/", unit=unit
    )
    campaign = Campaign.objects.create(
        live=False,
        title=f"{SENTINEL}评选",
        organisation=unit,
        starts_at=now,
        ends_at=now + dt.timedelta(days=3),
    )
    press = PressConference.objects.create(
        live=False, title=f"{SENTINEL}发布会", held_at=now, host_unit=unit
    )
    rows = {
        "kb.Entry": Entry.objects.create(
            owner=unit, matter=f"{SENTINEL}事项", answer="按规定办理。"
        ),
        "disclosure.ReleasePlan": ReleasePlan.objects.create(
            organisation=unit,
            title=f"{SENTINEL}计划",
            category=DisclosureCategory.objects.all()[0],
            frequency=ReleasePlan.Frequency.MONTHLY,
            owner=case.secretary,
        ),
        "disclosure.PressConference": press,
        "voting.Campaign": campaign,
        "orgs.Membership": Membership.objects.get(
            person=case.editor, organisation=unit, role=Role.EDITOR
        ),
        "experts.Expert": expert,
        "experts.Question": ExpertQuestion.objects.create(
            company_name=f"{SENTINEL}企业",
            contact_name="张伟",
            mobile="13947312345",
            domain=domain,
            text="小规模纳税人增值税减免怎么申请？",
            due_at=now + dt.timedelta(days=2),
            expert=expert,
        ),
        "quiz.Question": QuizQuestion.objects.create(
            owner=unit,
            type="single",
            stem=f"{SENTINEL}题目（ ）",
            options=["甲", "乙"],
            answer=[0],
            dedup_key="sentinel",
        ),
        "quiz.PaperTemplate": template,
        "quiz.Contest": Contest.objects.create(
            title=f"{SENTINEL}竞赛",
            template=template,
            owner=unit,
            starts_at=now,
            ends_at=now + dt.timedelta(days=3),
        ),
        "study.Video": Video.objects.create(
            title=f"{SENTINEL}视频", file="v.mp4", poster_file="v.jpg", owner=unit
        ),
        "study.StudyPlan": StudyPlan.objects.create(
            title=f"{SENTINEL}学习计划",
            owner=unit,
            starts_on=now.date(),
            deadline=now.date() + dt.timedelta(days=30),
        ),
        "study.StudySession": StudySession.objects.create(
            title=f"{SENTINEL}学习会",
            type=StudySession.Type.SEMINAR,
            organisation=unit,
            organiser=case.secretary,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=2),
        ),
        "publicity.Channel": channel,
        "publicity.Delivery": Delivery.objects.create(
            channel=channel,
            release=release,
            event=Delivery.Event.RELEASE,
            organisation=unit,
        ),
    }
    rows["members.MemberProfile"] = _member_profile(case)
    rows.update(_outreach_rows(case, unit, now))
    rows.update(_orglife_rows(case))
    rows.update(_ticket_rows(case, unit))
    for row in (campaign, press):
        # A draft revision, so that revision views have one to show.
        row.save_revision(user=case.editor)
    return rows


def _member_profile(case):
    from dangjian.members import identity
    from dangjian.members.models import MemberProfile
    from dangjian.members.tests.helpers import id_number

    number = id_number(1)
    return MemberProfile.objects.create(
        person=make_person("sentinel_member", f"{SENTINEL}党员"),
        branch=case.branch_a1,
        name=f"{SENTINEL}党员",
        sex="男",
        birth_date=dt.date(1985, 3, 12),
        id_hash=identity.id_hash(number),
        id_masked=identity.mask(number),
        id_sealed=identity.seal(number),
        joined_on=dt.date(2010, 7, 1),
        category="正式党员",
    )


def _orglife_rows(case) -> dict[str, object]:
    from decimal import Decimal

    from dangjian.orglife.models import (
        DuesDeclaration,
        DuesPayment,
        EvaluationCampaign,
        Meeting,
        Recruit,
    )

    branch = case.branch_a1
    person = make_person("sentinel_dues", f"{SENTINEL}缴费党员")
    return {
        "orglife.Meeting": Meeting.objects.create(
            branch=branch,
            kind="committee",
            topic=f"{SENTINEL}支委会",
            planned_on=dt.date(2025, 3, 3),
        ),
        "orglife.DuesDeclaration": DuesDeclaration.objects.create(
            person=person,
            branch=branch,
            year=2025,
            kind="employed",
            base=Decimal("6000"),
            monthly=Decimal("90"),
            starts_on=dt.date(2025, 1, 1),
        ),
        "orglife.DuesPayment": DuesPayment.objects.create(
            person=person,
            branch=branch,
            month=dt.date(2025, 1, 1),
            amount=Decimal("90"),
            method="cash",
        ),
        "orglife.Recruit": Recruit.objects.create(
            branch=branch,
            name=f"{SENTINEL}申请人",
            birth_date=dt.date(2000, 1, 1),
            applied_on=dt.date(2024, 1, 1),
        ),
        "orglife.EvaluationCampaign": EvaluationCampaign.objects.create(
            branch=branch, year=2025
        ),
    }


def _ticket_rows(case, unit) -> dict[str, object]:
    from dangjian.tickets.models import DispatchRule, Ticket, TicketEvent

    ticket = Ticket.objects.create(
        number="sentinel0001",
        text=f"{SENTINEL}工单诉求",
        unit=unit,
        status="dispatched",
        received_on=timezone.localdate(),
    )
    return {
        "tickets.Ticket": ticket,
        "tickets.TicketEvent": TicketEvent.objects.create(
            ticket=ticket, action="dispatch", unit=unit, note=f"{SENTINEL}派单"
        ),
        "tickets.DispatchRule": DispatchRule.objects.create(
            domain=f"{SENTINEL}领域", unit=unit
        ),
    }


def _outreach_rows(case, unit, now) -> dict[str, object]:
    from dangjian.orgs.models import Organisation
    from dangjian.outreach.models import (
        Event,
        Grid,
        GridWorker,
        Lecturer,
        LectureTeam,
        Push,
        Rating,
        Venue,
        Visit,
    )

    district = Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).first()
    if district is None:
        case.city.refresh_from_db()
        district = case.city.add_child(name="哨兵区", kind=Organisation.Kind.DISTRICT)
    team = LectureTeam.objects.create(unit=unit, name=f"{SENTINEL}宣讲团")
    venue = Venue.objects.create(
        unit=unit, district=district, kind=Venue.Kind.PARK, name=f"{SENTINEL}公园"
    )
    grid = Grid.objects.create(unit=unit, community=f"{SENTINEL}社区", name="一网格")
    worker = GridWorker.objects.create(
        grid=grid, person=make_person("sentinel_grid", f"{SENTINEL}网格员")
    )
    event = Event.objects.create(
        team=team,
        topic=f"{SENTINEL}宣讲",
        venue=venue,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )
    return {
        "outreach.LectureTeam": team,
        "outreach.Lecturer": Lecturer.objects.create(
            team=team, name=f"{SENTINEL}宣讲员", phone="13900000000"
        ),
        "outreach.Venue": venue,
        "outreach.Event": event,
        "outreach.Grid": grid,
        "outreach.GridWorker": worker,
        "outreach.Visit": Visit.objects.create(
            worker=worker,
            grid=grid,
            day=now.date(),
            households=3,
            topics=f"{SENTINEL}走访",
        ),
        "outreach.Push": Push.objects.create(
            worker=worker,
            grid=grid,
            kind="kb",
            object_id=1,
            title=f"{SENTINEL}推送",
            url="http://testserver/",
            channel="wechat",
        ),
        "outreach.Rating": Rating.objects.create(
            event=event, score=5, comment=f"{SENTINEL}评价", device_hash="d"
        ),
    }


def _model_of(viewset):
    from dangjian.orgs.checks import _model_of as model_of

    return model_of(viewset)


def unit_owned_viewsets():
    """Registered admin viewsets whose model belongs to a unit."""
    found = []
    for viewset in registered_admin_viewsets():
        model = _model_of(viewset)
        if model is None:
            continue
        policy = policy_registry.get_by_type(model, fallback=False)
        if unit_fields(model) or isinstance(policy, UnitPermissionPolicy):
            found.append((viewset, model))
    return found


def _route_names(pattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _route_kwargs(pattern, obj) -> dict:
    values = {}
    for name in _route_names(pattern):
        if name == "pk":
            values[name] = obj.pk
        elif name.startswith("revision_id"):
            latest = (
                obj.revisions.order_by("-pk").first()
                if isinstance(obj, RevisionMixin)
                else None
            )
            values[name] = latest.pk if latest else 1
        elif name == "action_name":
            values[name] = "approve"
        else:
            values[name] = 1
    return values


@override_settings(WAGTAILADMIN_BASE_URL="http://testserver")
class UnitScopingTestCase(DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.approver_b = make_person("approver_b", "公安局审批人")
        cls.admin_b = make_person("admin_b", "公安局管理员")
        do_grant_role(cls.approver_b, cls.unit_b, Role.APPROVER)
        do_grant_role(cls.admin_b, cls.unit_b, Role.UNIT_ADMIN)

    def setUp(self):
        self.rows = _fixtures(self)

    def assertRefused(self, response):
        """403, or the admin's "no permission" redirect to its home page."""
        if response.status_code == 302:
            self.assertEqual(response["Location"], reverse("wagtailadmin_home"))
        else:
            self.assertEqual(response.status_code, 403)

    def test_the_sweep_covers_the_unit_owned_models(self):
        labels = {model._meta.label for _vs, model in unit_owned_viewsets()}
        self.assertLessEqual(
            {"voting.Campaign", "kb.Entry", "quiz.Question", "orgs.Membership"},
            labels,
        )
        self.assertEqual(labels - set(self.rows), set(), "add a fixture above")

    def test_another_units_staff_reach_no_view_of_a_units_row(self):
        """Editors, approvers and admins of 市公安局 are refused every admin view
        of a 市委宣传部 row (edit, delete, publish, unpublish, history,
        revisions, preview, copy, inspect, usage, lock, workflow, chooser),
        and listings and choosers do not show it."""
        outsiders = [self.editor_b, self.approver_b, self.admin_b]
        swept = 0
        for viewset, model in unit_owned_viewsets():
            obj = self.rows[model._meta.label]
            for pattern in viewset.get_urlpatterns():
                url = reverse(
                    viewset.get_url_name(pattern.name),
                    kwargs=_route_kwargs(pattern, obj),
                )
                has_pk = "pk" in _route_names(pattern)
                if not has_pk and pattern.name in ("add", "create"):
                    continue
                if not has_pk:
                    url += f"?id={obj.pk}&q="
                for person in outsiders:
                    self.client.force_login(person)
                    for method in ("get", "post") if has_pk else ("get",):
                        with self.subTest(url=url, person=person.username, m=method):
                            response = getattr(self.client, method)(url)
                            swept += 1
                            if has_pk:
                                self.assertRefused(response)
                            self.assertNotIn(SENTINEL, response.content.decode())
        self.assertGreater(swept, 200)
        # Nothing changed hands on the way.
        campaign = Campaign.objects.get(pk=self.rows["voting.Campaign"].pk)
        self.assertFalse(campaign.live)
        self.assertTrue(Entry.objects.filter(pk=self.rows["kb.Entry"].pk).exists())

    def test_the_owning_unit_still_reaches_its_rows(self):
        campaign = self.rows["voting.Campaign"]
        self.client.force_login(self.editor)
        url = reverse(Campaign.snippet_viewset.get_url_name("edit"), args=[campaign.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, SENTINEL)
        response = self.client.get(
            reverse(Campaign.snippet_viewset.get_url_name("list"))
        )
        self.assertContains(response, SENTINEL)

    def test_an_editor_cannot_post_an_edit_to_another_units_campaign(self):
        campaign = self.rows["voting.Campaign"]
        self.client.force_login(self.editor_b)
        url = reverse(Campaign.snippet_viewset.get_url_name("edit"), args=[campaign.pk])
        response = self.client.post(
            url,
            {
                "title": "被改掉的标题",
                "organisation": self.unit_b.pk,
                "starts_at": "2026-01-01 08:00",
                "ends_at": "2026-01-05 08:00",
            },
        )
        self.assertRefused(response)
        campaign.refresh_from_db()
        self.assertEqual(campaign.title, f"{SENTINEL}评选")
        self.assertEqual(campaign.organisation, self.unit_a)
        self.assertFalse(campaign.revisions.filter(user=self.editor_b).exists())

    def test_an_approver_cannot_publish_another_units_campaign(self):
        campaign = self.rows["voting.Campaign"]
        self.client.force_login(self.approver_b)
        url = reverse(Campaign.snippet_viewset.get_url_name("edit"), args=[campaign.pk])
        response = self.client.post(
            url,
            {
                "title": campaign.title,
                "starts_at": "2026-01-01 08:00",
                "ends_at": "2026-01-05 08:00",
                "action-publish": "action-publish",
            },
        )
        self.assertRefused(response)
        campaign.refresh_from_db()
        self.assertFalse(campaign.live)

    def test_the_unit_field_offers_only_the_persons_units(self):
        self.client.force_login(self.editor_b)
        response = self.client.get(
            reverse(Campaign.snippet_viewset.get_url_name("add"))
        )
        self.assertEqual(response.status_code, 200)
        choices = response.context["form"].fields["organisation"].queryset
        self.assertIn(self.unit_b, choices)
        self.assertFalse(choices.filter(path__startswith=self.unit_a.path).exists())
        self.assertNotIn(self.city, choices)

    def test_apis_and_exports_get_the_same_rows_from_the_policy(self):
        self.assertEqual(
            list(scoped_queryset(self.editor_b, Campaign)),
            [],
        )
        self.assertEqual(
            list(scoped_queryset(self.editor, Campaign, ["change"])),
            [self.rows["voting.Campaign"]],
        )
        self.assertIs(
            UnitPermissionPolicy.for_model(Campaign),
            policy_registry.get_by_type(Campaign),
        )


class InterpretsChoiceTestCase(DisclosureTestCase):
    """An editor of another unit cannot pick, and so never sees, a 党内 item
    out of their scope in the 政策解读 (interprets) field."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.internal = cls.release_internal()

    @classmethod
    def release_internal(cls):
        page = DisclosureItemPage(
            title="宣传部党内哨兵事项",
            body="<p>只向宣传部第一党支部公开。</p>",
            category=cls.category,
            scope=DisclosureItemPage.Scope.INTERNAL,
            include_descendants=False,
            live=False,
            owner=cls.editor,
        )
        page.audience = [cls.branch_a1]
        cls.section_a.add_child(instance=page)
        revision = page.save_revision(user=cls.editor)
        revision.publish(user=cls.admin)
        return DisclosureItemPage.objects.get(pk=page.pk)

    def form_for(self, user, data=None):
        form_class = DisclosureItemPage.get_edit_handler().get_form_class()
        return form_class(
            data,
            instance=DisclosureItemPage(),
            parent_page=self.section_b,
            for_user=user,
        )

    def test_the_interprets_field_refuses_another_units_internal_item(self):
        self.assertTrue(
            DisclosureItemPage.objects.released().filter(pk=self.internal.pk).exists()
        )
        form = self.form_for(self.editor_b, {"interprets": self.internal.pk})
        self.assertNotIn(self.internal, form.fields["interprets"].queryset)
        form.is_valid()
        self.assertIn("interprets", form.errors)

    def test_the_interprets_field_offers_the_item_to_its_own_unit_and_audience(self):
        form = self.form_for(self.editor)
        self.assertIn(self.internal, form.fields["interprets"].queryset)
        form = self.form_for(self.member)
        self.assertIn(self.internal, form.fields["interprets"].queryset)

    def test_the_page_chooser_does_not_list_another_units_internal_item(self):
        self.client.force_login(self.editor_b)
        for url in (
            reverse("wagtailadmin_choose_page_child", args=[self.section_a.pk]),
            reverse("wagtailadmin_choose_page_search") + "?q=哨兵",
        ):
            with self.subTest(url=url):
                response = self.client.get(
                    url, {"page_type": "disclosure.disclosureitempage"}
                )
                self.assertNotIn("宣传部党内哨兵事项", response.content.decode())

    def test_a_press_conference_offers_no_internal_item_out_of_scope(self):
        self.client.force_login(self.editor_b)
        response = self.client.get(
            reverse(PressConference.snippet_viewset.get_url_name("add"))
        )
        self.assertEqual(response.status_code, 200)
        choices = response.context["form"].fields["related_items"].queryset
        self.assertNotIn(self.internal, choices)
        self.assertNotContains(response, "宣传部党内哨兵事项")


class UnitScopingCheckTestCase(DisclosureTestCase):
    def test_every_registered_admin_viewset_is_unit_scoped(self):
        self.assertEqual(check_admin_viewsets_are_unit_scoped(), [])

    def test_a_viewset_of_a_unit_owned_model_without_the_guard_fails_the_check(self):
        viewset = ModelViewSet("unscoped_campaigns", model=Campaign)
        errors = check_admin_viewsets_are_unit_scoped(viewsets=[viewset])
        self.assertEqual([e.id for e in errors], ["orgs.E001"])
        self.assertIsInstance(errors[0], Error)

    def test_a_viewset_may_say_why_it_serves_every_unit(self):
        viewset = ModelViewSet("all_campaigns", model=Campaign)
        viewset.unit_scope_exempt = "平台管理员专用"
        self.assertEqual(check_admin_viewsets_are_unit_scoped(viewsets=[viewset]), [])
