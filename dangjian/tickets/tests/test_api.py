"""The API: routing, intake, the lists scoped to the unit, each step, and
the error contract (Chinese ``{code, detail, errors}``)."""

from __future__ import annotations

import json

from dangjian.tickets.models import Status, Ticket
from dangjian.tickets.tests.base import TicketsTestCase


class ApiTestCase(TicketsTestCase):
    def post(self, path, body, *, raw=None, content_type="application/json"):
        return self.client.post(
            f"/api/tickets{path}",
            raw if raw is not None else json.dumps(body),
            content_type=content_type,
        )

    def test_route_answers_domain_type_unit_and_confidence(self):
        self.client.force_login(self.operator)
        r = self.post("/route", {"text": "小区9号楼房屋漏水，物业不维修"})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual(body["domain"], "城建")
        self.assertIn(body["type"], ("咨询", "投诉/求助", "建言"))
        self.assertEqual(body["unit"], {"id": self.unit_a.pk, "name": "市委宣传部"})
        self.assertTrue(0 < body["confidence"] <= 1)
        self.assertIsInstance(body["alternatives"], list)
        # Unit handlers may use it too; members and visitors may not.
        self.client.force_login(self.editor)
        self.assertEqual(self.post("/route", {"text": "漏水"}).status_code, 200)
        self.client.force_login(self.member)
        r = self.post("/route", {"text": "漏水"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["code"], "forbidden")
        self.client.logout()
        self.assertEqual(self.post("/route", {"text": "漏水"}).status_code, 401)

    def test_route_refuses_bad_input_in_chinese(self):
        self.client.force_login(self.operator)
        cases = [
            ({"text": ""}, None),
            ({"text": "   "}, None),
            ({}, None),
            ({"text": "字" * 4001}, None),
            ({"text": "漏\u0007水"}, None),
            (None, "{not json"),
            (None, "漏水".encode("gbk")),
        ]
        for body, raw in cases:
            with self.subTest(body=str(body)[:30], raw=str(raw)[:20]):
                r = self.post("/route", body, raw=raw)
                self.assertIn(r.status_code, (400, 422), r.content)
                self.assertRegex(r.json()["detail"], r"[\u4e00-\u9fff]")

    def test_the_whole_loop_through_the_api(self):
        self.client.force_login(self.operator)
        r = self.post(
            "",
            {
                "text": "小区3号楼房屋漏水，物业不维修",
                "caller_name": "张三",
                "caller_phone": "13800138000",
                "unit_id": self.unit_a.pk,
                "type": "投诉/求助",
            },
        )
        self.assertEqual(r.status_code, 201, r.content)
        created = r.json()
        self.assertEqual(created["caller_phone"], "138****8000")
        self.assertNotIn("13800138000", r.content.decode())
        pk = created["id"]
        self.assertEqual(created["status"], "dispatched")

        self.client.force_login(self.editor)
        r = self.client.get("/api/tickets?status=dispatched")
        self.assertEqual([t["id"] for t in r.json()["items"]], [pk])
        self.assertEqual(self.post(f"/{pk}/sign", {}).status_code, 200)
        r = self.post(f"/{pk}/sign", {})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["code"], "conflict")
        r = self.post(f"/{pk}/extension", {"days": 2, "reason": "需现场勘查"})
        self.assertEqual(r.json()["extension"], {"days": 2, "reason": "需现场勘查"})
        r = self.post(f"/{pk}/reply", {"reply": "已维修"})
        self.assertEqual(r.json()["status"], "replied")

        self.client.force_login(self.operator)
        r = self.post(f"/{pk}/follow-up", {"satisfaction": "satisfied"})
        self.assertEqual(r.json()["status"], "closed")
        r = self.client.get(f"/api/tickets/{pk}")
        labels = [e["label"] for e in r.json()["timeline"]]
        self.assertEqual(labels[:5], ["受理", "派单", "签收", "申请延期", "答复"])
        self.assertEqual(labels[-2:], ["回访", "办结"])

    def test_a_unit_sees_only_tickets_dispatched_to_it(self):
        a = self.dispatched()
        b = self.dispatched(text="晚上有人打架斗殴", unit_id=self.unit_b.pk)
        waiting = self.receive()
        self.client.force_login(self.editor_b)
        r = self.client.get("/api/tickets")
        self.assertEqual([t["id"] for t in r.json()["items"]], [b.pk])
        r = self.client.get(f"/api/tickets?unit={self.unit_a.pk}")
        self.assertEqual(r.json()["items"], [])
        for pk in (a.pk, waiting.pk):
            r = self.client.get(f"/api/tickets/{pk}")
            self.assertEqual(r.status_code, 404)
            self.assertEqual(self.post(f"/{pk}/sign", {}).status_code, 404)
            self.assertEqual(
                self.post(f"/{pk}/reply", {"reply": "越权答复"}).status_code, 404
            )
        self.assertEqual(Ticket.objects.get(pk=a.pk).status, Status.DISPATCHED)
        # Operators see all three; members and visitors nothing.
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get("/api/tickets").json()["total"], 3)
        self.client.force_login(self.member)
        self.assertEqual(self.client.get("/api/tickets").status_code, 403)
        self.assertEqual(self.client.get(f"/api/tickets/{a.pk}").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/api/tickets").status_code, 401)

    def test_handlers_cannot_take_the_operators_steps(self):
        ticket = self.receive()
        self.client.force_login(self.editor)
        r = self.post("", {"text": "楼道漏水"})
        self.assertEqual(r.status_code, 403)
        self.assertRegex(r.json()["detail"], "话务员")
        # The waiting ticket is not the unit's: not found for them.
        r = self.post(f"/{ticket.pk}/dispatch", {"unit_id": self.unit_a.pk})
        self.assertEqual(r.status_code, 404)

    def test_invalid_steps_answer_422_with_fields(self):
        ticket = self.dispatched()
        self.client.force_login(self.editor)
        r = self.post(f"/{ticket.pk}/send-back", {"reason": ""})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(r.json()["errors"][0]["field"], "reason")
        r = self.post(f"/{ticket.pk}/extension", {"days": 30, "reason": "x"})
        self.assertEqual(r.status_code, 422)
        r = self.client.get("/api/tickets?status=bogus")
        self.assertEqual(r.status_code, 422)

    def test_caller_history_by_the_number_for_operators_only(self):
        first = self.receive(caller_phone="13912345678")
        self.receive(caller_phone="13800000000")
        self.client.force_login(self.operator)
        r = self.client.get("/api/tickets/callers/history?phone=139-1234-5678")
        self.assertEqual([t["id"] for t in r.json()], [first.pk])
        self.client.force_login(self.editor)
        r = self.client.get("/api/tickets/callers/history?phone=13912345678")
        self.assertEqual(r.status_code, 403)

    def test_a_replayed_sign_signs_once(self):
        ticket = self.dispatched()
        self.client.force_login(self.editor)
        codes = sorted(
            self.post(f"/{ticket.pk}/sign", {}).status_code for _ in range(2)
        )
        self.assertEqual(codes, [200, 409])
        self.assertEqual(ticket.events.filter(action="sign").count(), 1)
