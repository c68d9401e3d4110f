"""Knowledge entries: import, search, expiry, permissions, review, logging."""

from __future__ import annotations

import datetime
import io
import json

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.kb import searchlog
from dangjian.kb.actions import import_file
from dangjian.kb.models import Entry, ImportBatch, SearchLog, UnitReviewTask
from dangjian.kb.permissions import EntryPermissionPolicy
from dangjian.kb.search import kb_index, search_entries
from dangjian.test import PASSWORD, BaseTestCase

CSV_HEAD = "外部编号,事项名称,群众问法,答复口径,责任单位,失效日期\n"


def make_entry(owner, matter, answer="按规定办理。", **fields):
    entry = Entry.objects.create(
        owner=owner, matter=matter, answer=answer, live=True, **fields
    )
    kb_index().upsert([entry.search_document()])
    return entry


class ImportTestCase(BaseTestCase):
    def test_a_gbk_csv_is_detected_and_imported(self):
        text = (
            CSV_HEAD
            + "k1,住房公积金提取,买房怎么取公积金,持购房合同申请提取。,市委宣传部,\n"
        )
        result = import_file("条目.csv", text.encode("gbk"), user=self.admin)
        self.assertEqual(result.created, 1)
        entry = Entry.objects.get(external_id="k1")
        self.assertEqual(entry.matter, "住房公积金提取")
        self.assertEqual(entry.owner, self.unit_a)
        self.assertTrue(entry.live)
        self.assertEqual(ImportBatch.objects.get().created, 1)

    def test_a_broken_row_rejects_the_whole_file_and_lists_every_bad_row(self):
        text = (
            CSV_HEAD
            + "k1,居住证办理,,到派出所申领。,市委宣传部,\n"
            + "k2,,,缺事项名称,市委宣传部,\n"
            + "k3,护照办理,,到出入境窗口。,不存在的单位,\n"
            + "k4,驾驶证,,到车管所。,市委宣传部,2025-13-40\n"
            + "k1,重复编号,,内容,市委宣传部,\n"
        )
        with self.assertRaises(ValidationError) as caught:
            import_file("bad.csv", text.encode("utf-8"), user=self.admin)
        messages = caught.exception.messages
        self.assertEqual(len(messages), 4)
        self.assertIn("第 3 行", messages[0])
        self.assertIn("缺少事项名称", messages[0])
        self.assertIn("不存在的单位", messages[1])
        self.assertIn("不是有效日期", messages[2])
        self.assertIn("与第 2 行重复", messages[3])
        self.assertFalse(Entry.objects.exists())
        self.assertFalse(ImportBatch.objects.exists())

    def test_reimport_updates_by_external_id(self):
        first = CSV_HEAD + "k1,居住证办理,,旧答复。,市委宣传部,\n"
        second = CSV_HEAD + "k1,居住证办理,,新答复。,市委宣传部,\n"
        import_file("a.csv", first.encode(), user=self.admin)
        result = import_file("a.csv", second.encode(), user=self.admin)
        self.assertEqual((result.created, result.updated), (0, 1))
        self.assertEqual(Entry.objects.get().answer, "新答复。")
        again = import_file("a.csv", second.encode(), user=self.admin)
        self.assertEqual((again.created, again.updated), (0, 0))

    def test_xlsx_and_jsonl_are_read(self):
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["事项名称", "答复口径", "责任单位"])
        book.active.append(["社保卡补办", "到银行网点补办。", "市公安局"])
        buf = io.BytesIO()
        book.save(buf)
        import_file("x.xlsx", buf.getvalue(), user=self.admin)
        line = json.dumps(
            {
                "id": "j1",
                "title": "低保申请",
                "body": "向街道申请。",
                "department": "市委宣传部",
            },
            ensure_ascii=False,
        )
        import_file("x.jsonl", line.encode(), user=self.admin)
        self.assertEqual(
            sorted(Entry.objects.values_list("matter", flat=True)),
            ["低保申请", "社保卡补办"],
        )

    def test_empty_and_unknown_files_are_refused(self):
        for name, data in [
            ("e.csv", b""),
            ("x.pdf", b"%PDF"),
            ("h.csv", b"foo,bar\n1,2\n"),
        ]:
            with self.assertRaises(ValidationError):
                import_file(name, data, user=self.admin)
        self.assertFalse(Entry.objects.exists())

    def test_an_editor_cannot_import_into_another_unit(self):
        text = CSV_HEAD + "k1,居住证办理,,答复。,市公安局,\n"
        with self.assertRaises(ValidationError) as caught:
            import_file("a.csv", text.encode(), user=self.editor)
        self.assertIn("无权导入", caught.exception.messages[0])

    def test_a_unit_downloads_its_entries_in_the_import_template(self):
        text = (
            CSV_HEAD
            + "a1,居住证办理,,到派出所。,市委宣传部,2099-01-01\n"
            + "b1,护照办理,,到出入境窗口。,市公安局,\n"
        )
        import_file("条目.csv", text.encode(), user=self.admin)
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(reverse("kb_export", args=["csv"]))
        self.assertEqual(r.status_code, 200)
        self.assertIn("attachment", r["Content-Disposition"])
        text = r.content.decode("utf-8-sig")
        self.assertTrue(text.startswith("外部编号,事项名称,群众问法,答复口径"))
        self.assertIn("居住证办理", text)
        self.assertNotIn("护照办理", text)
        # The file goes back in unchanged: nothing created, nothing updated.
        # (The source file name is recorded too, so the same name is used.)
        again = import_file("条目.csv", r.content, user=self.editor)
        self.assertEqual((again.created, again.updated), (0, 0))

        from openpyxl import load_workbook

        r = self.client.get(reverse("kb_export", args=["xlsx"]))
        rows = list(load_workbook(io.BytesIO(r.content)).active.values)
        self.assertEqual(rows[0][:2], ("外部编号", "事项名称"))
        self.assertEqual([row[1] for row in rows[1:]], ["居住证办理"])

    def test_people_without_a_unit_cannot_download_entries(self):
        self.client.login(username="outsider", password=PASSWORD)
        make_entry(self.unit_a, "居住证办理", external_id="a1")
        r = self.client.get(reverse("kb_export", args=["csv"]))
        # Refused (or sent to the admin login): no file either way.
        self.assertIn(r.status_code, (302, 403))
        self.assertNotIn("Content-Disposition", r.headers)
        self.assertNotIn("居住证办理".encode(), r.content)


class TwoEntriesMixin:
    """A housing-fund entry of unit A and a heating entry of unit B, indexed."""

    def setUp(self):
        super().setUp()
        self.fund = make_entry(
            self.unit_a,
            "住房公积金提取",
            "职工购房可以申请提取住房公积金。",
            keywords="公积金,提取",
        )
        self.heat = make_entry(self.unit_b, "冬季供暖不热", "室温不达标可报修。")


class SearchTestCase(TwoEntriesMixin, BaseTestCase):
    def test_it_finds_entries_with_highlighted_titles(self):
        results = search_entries("公积金提取")
        self.assertEqual(results.hits[0].entry, self.fund)
        self.assertIn("<mark>", results.hits[0].title_html)

    def test_filter_by_unit(self):
        self.assertEqual(search_entries("供暖", unit=self.unit_a.pk).total, 0)
        self.assertEqual(search_entries("供暖", unit=self.unit_b.pk).total, 1)

    def test_expired_entries_leave_search(self):
        self.fund.valid_until = timezone.localdate() - datetime.timedelta(days=1)
        self.fund.save()  # not re-indexed: search must still drop it
        results = search_entries("公积金提取")
        self.assertNotIn(self.fund, [h.entry for h in results.hits])
        self.assertEqual(results.total, 0)

    def test_unpublished_entries_are_not_public(self):
        self.fund.live = False
        self.fund.save()
        self.assertEqual(search_entries("公积金").total, 0)
        self.assertEqual(
            self.client.get(reverse("kb:entry", args=[self.fund.pk])).status_code, 404
        )

    def test_api_search_returns_the_documented_shape(self):
        r = self.client.get("/api/kb/search", {"q": "gjj", "limit": 5})
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["total"], 1)
        hit = body["hits"][0]
        self.assertEqual(set(hit) >= {"id", "title", "snippet", "unit", "score"}, True)
        self.assertEqual(hit["id"], self.fund.pk)
        self.assertEqual(hit["unit"], "市委宣传部")
        # The view skips ninja's response check; the answer still fits the schema.
        from dangjian.kb.api import SearchOut

        self.assertEqual(SearchOut.model_validate(body).model_dump()["total"], 1)

    def test_api_hits_carry_the_unit_and_a_link_to_the_entry(self):
        r = self.client.get("/api/kb/search", {"q": "供暖"})
        hit = r.json()["hits"][0]
        self.assertEqual(hit["id"], self.heat.pk)
        self.assertEqual(hit["unit"], self.unit_b.name)
        self.assertEqual(hit["url"], reverse("kb:entry", args=[self.heat.pk]))
        self.assertEqual(self.client.get(hit["url"]).status_code, 200)

    def test_api_never_shows_an_entry_that_expired_or_was_unpublished(self):
        self.fund.valid_until = timezone.localdate() - datetime.timedelta(days=1)
        self.fund.save()  # not re-indexed
        self.heat.live = False
        self.heat.save()
        for q in ("公积金", "供暖"):
            body = self.client.get("/api/kb/search", {"q": q}).json()
            self.assertEqual((body["total"], body["hits"]), (0, []))

    def test_a_pasted_paragraph_finds_the_entry_it_quotes(self):
        paragraph = (
            "您好，我想咨询一下，职工购房可以申请提取住房公积金吗？需要带哪些材料，"
            "在哪里办理，多长时间可以到账，另外公积金贷款和商业贷款能不能同时使用，"
            "还有异地购房能不能提取，退休以后账户里的钱怎么处理，谢谢。"
        )
        results = search_entries(paragraph)
        self.assertEqual(results.hits[0].entry, self.fund)
        self.assertIn("<mark>", results.hits[0].snippet_html)
        self.assertIsNone(results.suggestion)

    def test_the_console_gets_the_standard_answer_to_copy(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(reverse("kb:console-search"), {"q": "公积金"})
        hit = r.json()["hits"][0]
        self.assertEqual(hit["answer"], self.fund.answer)
        self.assertEqual(hit["unit"], self.unit_a.name)

    def test_api_rejects_bad_parameters_with_json(self):
        r = self.client.get("/api/kb/search", {"q": "公积金", "limit": 1000})
        self.assertEqual(r.status_code, 422)
        self.assertIn("detail", r.json())

    def test_every_search_is_logged_without_personal_data(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(reverse("kb:search"), {"q": "公积金提取"})
        self.assertContains(r, "<mark>")
        searchlog.flush()  # With Redis, searches are written in batches.
        log = SearchLog.objects.get()
        self.assertEqual(
            (log.query, log.result_count, log.routed_unit),
            ("公积金提取", 1, self.unit_a),
        )
        field_names = {f.name for f in SearchLog._meta.get_fields()}
        self.assertFalse(field_names & {"person", "user", "ip", "session"})
        self.assertContains(r, f"?log={log.token}")
        self.client.get(reverse("kb:entry", args=[self.fund.pk]), {"log": log.token})
        searchlog.flush()
        log.refresh_from_db()
        self.assertEqual(log.clicked_entry, self.fund)

    def test_the_citizen_page_offers_did_you_mean(self):
        r = self.client.get(reverse("kb:search"), {"q": "公鸡金"})
        self.assertContains(r, "您是不是要找")
        self.assertContains(r, "公积金")

    def test_the_hot_questions_dashboard_is_for_unit_admins(self):
        search_entries("公积金提取", channel="citizen")
        search_entries("宠物狗办证", channel="citizen")
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("kb:hot")).status_code, 403)
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get(reverse("kb:hot"))
        self.assertContains(r, "公积金提取")
        self.assertNotContains(r, "宠物狗办证")  # routed to no unit of theirs
        self.client.login(username="admin", password=PASSWORD)
        self.assertContains(self.client.get(reverse("kb:hot")), "宠物狗办证")


class PermissionTestCase(BaseTestCase):
    def setUp(self):
        self.entry_a = make_entry(self.unit_a, "宣传部条目")
        self.entry_b = make_entry(self.unit_b, "公安局条目")

    def test_unit_a_cannot_edit_unit_b_entries(self):
        policy = EntryPermissionPolicy(Entry)
        self.assertTrue(
            policy.user_has_permission_for_instance(self.editor, "change", self.entry_a)
        )
        self.assertFalse(
            policy.user_has_permission_for_instance(self.editor, "change", self.entry_b)
        )
        self.assertEqual(
            list(policy.instances_user_has_permission_for(self.editor, "change")),
            [self.entry_a],
        )

    def test_the_admin_edit_view_refuses_another_units_entry(self):
        self.client.login(username="editor", password=PASSWORD)
        own = self.client.get(
            reverse("wagtailsnippets_kb_entry:edit", args=[self.entry_a.pk])
        )
        self.assertEqual(own.status_code, 200)
        other = self.client.get(
            reverse("wagtailsnippets_kb_entry:edit", args=[self.entry_b.pk])
        )
        self.assertIn(other.status_code, (302, 403))
        listing = self.client.get(reverse("wagtailsnippets_kb_entry:list"))
        self.assertContains(listing, "宣传部条目")
        self.assertNotContains(listing, "公安局条目")

    def test_reviewers_review_only_their_own_units_entries(self):
        task = UnitReviewTask.objects.create(name="本单位审核")
        self.assertTrue(task.get_actions(self.entry_a, self.reviewer))
        self.assertEqual(task.get_actions(self.entry_b, self.reviewer), [])
        self.assertEqual(task.get_actions(self.entry_a, self.editor_b), [])

    def test_near_expiry_list_shows_own_units_entries(self):
        soon = timezone.localdate() + datetime.timedelta(days=3)
        Entry.objects.filter(pk__in=[self.entry_a.pk, self.entry_b.pk]).update(
            valid_until=soon
        )
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(reverse("kb:expiring"))
        self.assertContains(r, "宣传部条目")
        self.assertNotContains(r, "公安局条目")
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("kb:expiring")).status_code, 403)
