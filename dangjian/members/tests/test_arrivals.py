"""Into the city: a member arriving with an out-of-city introduction letter."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from wagtail.models import ModelLogEntry

from dangjian.lib import sms
from dangjian.members import arrivals
from dangjian.members.activation import check_activate, do_request_code
from dangjian.members.models import ArrivalLetter, MemberProfile, Status
from dangjian.members.tests.base import MembersTestCase
from dangjian.members.tests.helpers import bad_checksum, id_number
from dangjian.orgs.models import Membership, Role

URL = "/admin/members/arrivals/new/"


def post_data(to, **overrides) -> dict:
    data = {
        "letter_number": "2026-0815",
        "issuer": "中共外省某市委组织部",
        "branch": to.pk,
        "name": "周转入",
        "sex": "女",
        "ethnicity": "汉族",
        "birth_date": "1985-03-12",
        "id_number": id_number(501),
        "mobile": "13900000501",
        "education": "硕士研究生",
        "joined_on": "2012-06-30",
        "full_member_on": "2013-06-30",
        "category": "正式党员",
        "position": "科员",
    }
    data.update(overrides)
    return data


class ArrivalTestCase(MembersTestCase):
    def counts(self):
        return (
            MemberProfile.objects.count(),
            ArrivalLetter.objects.count(),
            type(self.member).objects.count(),
            ModelLogEntry.objects.filter(action="dangjian.members.arrival").count(),
        )

    def test_a_unit_admin_registers_an_arrival_with_an_inactive_account(self):
        self.client.force_login(self.secretary)
        page = self.client.get(URL)
        self.assertContains(page, "市外转入登记")
        # Only the admin's own branches are offered.
        self.assertContains(page, "宣传部第一党支部")
        self.assertNotContains(page, "公安局第一党支部")

        response = self.client.post(URL, post_data(self.branch_a2), follow=True)
        profile = MemberProfile.objects.get(name="周转入")
        self.assertRedirects(response, reverse("members_record", args=[profile.pk]))
        self.assertContains(response, "已登记转入：周转入，转入宣传部第二党支部")
        self.assertContains(response, "中共外省某市委组织部 介绍信第2026-0815号")
        self.assertEqual(profile.branch, self.branch_a2)
        self.assertEqual(profile.status, Status.REGISTERED)
        self.assertEqual(profile.id_masked, "1501**********" + id_number(501)[-4:])
        self.assertEqual(profile.full_member_on, dt.date(2013, 6, 30))
        self.assertIsNone(profile.activated_at)
        person = profile.person
        self.assertFalse(person.is_active)
        self.assertFalse(person.has_usable_password())
        self.assertTrue(
            Membership.objects.filter(
                person=person, organisation=self.branch_a2, role=Role.MEMBER
            ).exists()
        )
        change = profile.status_changes.get()
        self.assertEqual(change.status, Status.REGISTERED)
        self.assertEqual(
            change.reason, "转入：由中共外省某市委组织部转入（介绍信第2026-0815号）"
        )
        self.assertEqual(change.changed_by, self.secretary)
        entry = ModelLogEntry.objects.get(action="dangjian.members.arrival")
        self.assertEqual(entry.user_id, self.secretary.pk)
        self.assertEqual(entry.data["number"], "2026-0815")
        self.assertNotIn(id_number(501), str(entry.data))
        letter = ArrivalLetter.objects.get()
        self.assertEqual(
            (letter.profile, letter.to_branch, letter.registered_by),
            (profile, self.branch_a2, self.secretary),
        )

    def test_the_same_letter_sent_twice_registers_once(self):
        self.client.force_login(self.secretary)
        self.client.post(URL, post_data(self.branch_a1))
        before = self.counts()
        response = self.client.post(URL, post_data(self.branch_a1))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "该介绍信已登记过，不能重复登记", status_code=400)
        self.assertEqual(self.counts(), before)
        # Another letter for a member already registered in the city.
        response = self.client.post(
            URL, post_data(self.branch_a1, letter_number="2026-0900")
        )
        self.assertContains(
            response, "该身份证号的党员已在本市登记，不能再次转入", status_code=400
        )
        self.assertEqual(self.counts(), before)

    def test_another_units_admin_cannot_register_into_unit_a(self):
        before = self.counts()
        self.client.force_login(self.secretary_b)
        response = self.client.post(URL, post_data(self.branch_a1))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "选择一个有效的选项", status_code=400)
        self.assertEqual(self.counts(), before)
        with self.assertRaises(PermissionDenied):
            arrivals.check_register_arrival(
                {"姓名": "周转入"},
                branch=self.branch_a1,
                letter_number="1",
                issuer="外市",
                acting_user=self.secretary_b,
            )
        # A branch secretary: only their own branch, not the sibling branch.
        self.client.force_login(self.secretary_a1)
        response = self.client.post(URL, post_data(self.branch_a2))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_members_and_anonymous_visitors_reach_nothing(self):
        before = self.counts()
        self.client.force_login(self.member)
        self.assertIn(self.client.get(URL).status_code, (302, 403))
        self.assertIn(
            self.client.post(URL, post_data(self.branch_a1)).status_code, (302, 403)
        )
        self.client.logout()
        response = self.client.post(URL, post_data(self.branch_a1))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertEqual(self.counts(), before)

    def test_bad_input_is_refused_in_chinese_and_nothing_is_written(self):
        self.client.force_login(self.secretary)
        before = self.counts()
        cases = [
            ({"id_number": bad_checksum(id_number(502))}, "身份证号校验位错误"),
            ({"full_member_on": "2011-01-01"}, "转正日期早于入党日期"),
            ({"joined_on": "2099-01-01", "full_member_on": ""}, "“入党日期”晚于今天"),
            ({"joined_on": "2012-13-40"}, "“入党日期”不是有效日期"),
            ({"mobile": "12345"}, "手机号应为11位大陆手机号"),
            ({"category": "预备党员"}, "预备党员不应填写转正日期"),
            ({"birth_date": "1990-01-01"}, "出生日期与身份证号不符"),
            ({"letter_number": "  "}, "必需字段"),
            ({"issuer": "外市\x01组织部"}, "提交的内容含有不可见的控制字符"),
            ({"position": "科员\x00"}, "提交的内容含有不可见的控制字符"),
            ({"issuer": "长" * 101}, "不超过 100 字符"),
            ({"id_number": "１５０１"}, "身份证号格式错误"),
            ({"name": ""}, "必需字段"),
            ({"branch": "999999"}, "选择一个有效的选项"),
            ({"branch": "abc"}, "选择一个有效的选项"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(URL, post_data(self.branch_a1, **overrides))
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertEqual(self.counts(), before)

    def test_every_problem_of_the_row_is_listed_at_once(self):
        with self.assertRaises(ValidationError) as caught:
            arrivals.check_register_arrival(
                {
                    "姓名": "周转入",
                    "性别": "女",
                    "身份证号": bad_checksum(id_number(503)),
                    "手机号": "1",
                    "职务": "科员\x07",
                    "入党日期": "2012-06-30",
                    "转正日期": "2011-06-30",
                    "党员类别": "正式党员",
                },
                branch=self.branch_a1,
                letter_number="",
                issuer="中共外省某市委组织部",
                acting_user=self.secretary,
            )
        self.assertEqual(
            caught.exception.messages,
            [
                "“介绍信编号”不能为空",
                "“职务”含有控制字符",
                "身份证号校验位错误",
                "手机号应为11位大陆手机号",
                "转正日期早于入党日期",
            ],
        )
        self.assertFalse(MemberProfile.objects.filter(name="周转入").exists())

    @override_settings(DANGJIAN_SMS_BACKEND="dangjian.lib.sms.LogBackend")
    def test_an_arrived_member_activates_like_an_imported_one(self):
        sms.outbox.clear()
        profile = arrivals.check_register_arrival(
            {
                "姓名": "周转入",
                "性别": "女",
                "身份证号": id_number(504),
                "手机号": "13900000504",
                "入党日期": "2012-06-30",
                "转正日期": "2013-06-30",
                "党员类别": "正式党员",
            },
            branch=self.branch_a1,
            letter_number="88",
            issuer="中共外省某市委组织部",
            acting_user=self.secretary_a1,
        )
        client = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.9"
        do_request_code("13900000504", client=client)
        code = re.search(r"\d{6}", sms.outbox[-1]["message"])
        assert code is not None
        person = check_activate(
            "13900000504", code.group(), password="", password2="", client=client
        )
        self.assertEqual(person, profile.person)
        person.refresh_from_db()
        self.assertTrue(person.is_active)
