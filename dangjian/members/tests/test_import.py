from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from dangjian.members.importer import import_roster
from dangjian.members.models import MemberProfile, Status, StatusChange
from dangjian.members.tests.helpers import (
    bad_checksum,
    csv_bytes,
    id_number,
    row,
    xlsx_bytes,
)
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Membership, Role
from dangjian.test import CityMixin, make_person

A1 = "宣传部第一党支部"
A2 = "宣传部第二党支部"
B1 = "公安局第一党支部"


class ImportTestCase(CityMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.build_city()
        cls.secretary_b = make_person("secretary_b", "公安局管理员")
        do_grant_role(cls.secretary_b, cls.unit_b, Role.UNIT_ADMIN)

    def errors_of(self, data: bytes, name="roster.csv", user=None) -> list[str]:
        with self.assertRaises(ValidationError) as raised:
            import_roster(name, data, user=user or self.secretary)
        return raised.exception.messages

    def test_a_gbk_file_registers_members_with_inactive_accounts(self):
        data = csv_bytes([row("赵红", 1, A1), row("钱明", 2, A2)], encoding="gbk")
        result = import_roster("名册.csv", data, user=self.secretary)
        self.assertEqual((result.created, result.updated), (2, 0))
        profile = MemberProfile.objects.get(name="赵红")
        self.assertEqual(profile.branch, self.branch_a1)
        self.assertFalse(profile.person.is_active)
        self.assertFalse(profile.person.has_usable_password())
        self.assertEqual(
            profile.id_masked, id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
        )
        self.assertNotIn(id_number(1), profile.id_sealed)
        self.assertTrue(
            Membership.objects.filter(
                person=profile.person, organisation=self.branch_a1, role=Role.MEMBER
            ).exists()
        )
        history = StatusChange.objects.get(profile=profile)
        self.assertEqual((history.previous, history.status), ("", Status.REGISTERED))

    def test_an_excel_file_imports_with_real_dates(self):
        data = xlsx_bytes(
            [
                row(
                    "孙丽",
                    3,
                    A1,
                    入党日期=dt.date(2012, 5, 4),
                    转正日期=dt.date(2013, 5, 4),
                )
            ]
        )
        import_roster("名册.xlsx", data, user=self.secretary)
        profile = MemberProfile.objects.get(name="孙丽")
        self.assertEqual(profile.joined_on, dt.date(2012, 5, 4))
        self.assertEqual(profile.full_member_on, dt.date(2013, 5, 4))

    def test_the_organisation_may_be_named_by_its_path(self):
        import_roster(
            "r.csv",
            csv_bytes([row("周平", 4, f"中共测试市委/市委宣传部/{A2}")]),
            user=self.secretary,
        )
        self.assertEqual(MemberProfile.objects.get(name="周平").branch, self.branch_a2)

    def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(self):
        other = row("吴强", 9, B1)
        import_roster("b.csv", csv_bytes([other]), user=self.secretary_b)
        before = MemberProfile.objects.count()
        rows = [
            row("郑一", 10, A1),  # line 2: good
            row("王二", 11, A1, 身份证号=bad_checksum(id_number(11))),
            row("冯三", 12, "宣传部第九党支部"),
            row("陈四", 13, A1, 入党日期="2015-07-01", 转正日期="2014-07-01"),
            row("褚五", 10, A2),  # the same ID as line 2
            row("吴强", 9, A1),  # registered in unit B's branch
        ]
        errors = self.errors_of(csv_bytes(rows))
        self.assertEqual(
            errors,
            [
                "第 3 行：身份证号校验位错误",
                "第 4 行：找不到党组织“宣传部第九党支部”（请写全称或路径）",
                "第 5 行：转正日期早于入党日期",
                "第 6 行：身份证号与第 2 行重复",
                "第 7 行：该党员已在其他单位的党组织登记，请办理组织关系转接",
            ],
        )
        self.assertEqual(MemberProfile.objects.count(), before)
        self.assertFalse(MemberProfile.objects.filter(name="郑一").exists())

    def test_a_secretary_cannot_import_into_another_units_branch(self):
        errors = self.errors_of(csv_bytes([row("蒋六", 20, B1)]))
        self.assertEqual(errors, [f"第 2 行：无权导入到“{B1}”：不是您管理的党组织"])

    def test_reimporting_updates_the_member_found_by_id_number(self):
        import_roster("r.csv", csv_bytes([row("沈七", 30, A1)]), user=self.secretary)
        result = import_roster(
            "r.csv",
            csv_bytes([row("沈七", 30, A1, 职务="支部委员", 手机号="13800001111")]),
            user=self.secretary,
        )
        self.assertEqual((result.created, result.updated), (0, 1))
        profile = MemberProfile.objects.get(name="沈七")
        self.assertEqual(
            (profile.position, profile.mobile), ("支部委员", "13800001111")
        )
        self.assertEqual(MemberProfile.objects.filter(name="沈七").count(), 1)

    def test_a_person_already_in_the_branch_gets_the_record_not_a_second_account(self):
        import_roster("r.csv", csv_bytes([row("张党员", 40, A1)]), user=self.secretary)
        profile = MemberProfile.objects.get(name="张党员")
        self.assertEqual(profile.person, self.member)
        self.assertTrue(profile.person.is_active)

    def test_bad_input_gets_chinese_reasons(self):
        self.assertEqual(
            self.errors_of(b"name,id\n1,2\n")[0][:10], "第一行应为列名：姓名"
        )
        self.assertEqual(self.errors_of(b""), ["文件为空。"])
        rows = [
            row("韩\x00八", 50, A1, 性别="未知", 手机号="123", 出生日期="1990-01-01")
        ]
        errors = self.errors_of(csv_bytes(rows))
        self.assertIn("第 2 行：性别应为“男”或“女”", errors)
        self.assertIn("第 2 行：手机号应为11位大陆手机号", errors)
        self.assertIn("第 2 行：出生日期与身份证号不符", errors)
        self.assertTrue(any("控制字符" in e for e in errors))

    def test_the_command_imports_a_file_or_lists_its_errors(self):
        with tempfile.TemporaryDirectory() as folder:
            good = Path(folder) / "good.csv"
            good.write_bytes(csv_bytes([row("杨九", 60, A1)], encoding="gbk"))
            out = io.StringIO()
            call_command("import_members", str(good), "--as", "secretary", stdout=out)
            self.assertIn("新登记 1 人", out.getvalue())
            bad = Path(folder) / "bad.csv"
            bad.write_bytes(csv_bytes([row("朱十", 61, "不存在的支部")]))
            err = io.StringIO()
            with self.assertRaisesMessage(CommandError, "文件未导入：1 处错误"):
                call_command("import_members", str(bad), stderr=err)
            self.assertIn("第 2 行：找不到党组织", err.getvalue())
