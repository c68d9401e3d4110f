"""The pages: who reaches the console, the queue and a ticket; the steps
posted from the page; the figures; and the demo import's states."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.lib import plugins
from dangjian.tickets import figures
from dangjian.tickets.importer import import_history
from dangjian.tickets.models import Status, Ticket
from dangjian.tickets.tests.base import TicketsTestCase, tiny_messages


class PagesTestCase(TicketsTestCase):
    def test_the_console_is_for_operators_and_handlers_only(self):
        ticket = self.dispatched()
        self.client.logout()
        r = self.client.get("/tickets/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])
        for person in (self.member, self.outsider):
            self.client.force_login(person)
            for url in ("/tickets/", "/tickets/queue/", f"/tickets/{ticket.pk}/"):
                with self.subTest(person=person.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.editor)
        self.assertRedirects(self.client.get("/tickets/"), "/tickets/queue/")
        self.assertEqual(self.client.get("/tickets/new/").status_code, 403)
        self.client.force_login(self.operator)
        r = self.client.get("/tickets/")
        self.assertContains(r, ticket.number)
        self.assertContains(r, "示例数据")

    def test_another_units_handler_reaches_neither_the_page_nor_the_step(self):
        ticket = self.dispatched()
        self.client.force_login(self.editor_b)
        self.assertEqual(self.client.get(f"/tickets/{ticket.pk}/").status_code, 404)
        r = self.client.post(f"/tickets/{ticket.pk}/step/", {"step": "sign"})
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(self.client.get("/tickets/queue/"), ticket.number)
        self.assertEqual(Ticket.objects.get(pk=ticket.pk).status, Status.DISPATCHED)

    def test_the_unit_signs_and_replies_from_its_queue(self):
        ticket = self.dispatched()
        self.client.force_login(self.editor)
        r = self.client.get("/tickets/queue/")
        self.assertContains(r, ticket.number)
        self.assertContains(r, "办理期限")
        self.client.post(f"/tickets/{ticket.pk}/step/", {"step": "sign"})
        r = self.client.post(
            f"/tickets/{ticket.pk}/step/",
            {"step": "reply", "reply": "已维修"},
            follow=True,
        )
        self.assertContains(r, "待回访")
        self.assertContains(r, "已维修")
        # A bad step says why, in Chinese, and changes nothing.
        r = self.client.post(
            f"/tickets/{ticket.pk}/step/", {"step": "sign"}, follow=True
        )
        self.assertContains(r, "不能办理此环节")

    def test_intake_from_the_form(self):
        self.client.force_login(self.operator)
        r = self.client.get("/tickets/new/")
        self.assertContains(r, "智能派单建议")
        r = self.client.post(
            "/tickets/new/",
            {
                "channel": "phone",
                "caller_name": "李四",
                "caller_phone": "13700137000",
                "text": "晚上有人在街上打架",
                "unit_id": str(self.unit_b.pk),
            },
        )
        ticket = Ticket.objects.get()
        self.assertRedirects(r, f"/tickets/{ticket.pk}/")
        self.assertEqual(ticket.unit, self.unit_b)
        r = self.client.post("/tickets/new/", {"channel": "phone", "text": ""})
        self.assertEqual(r.status_code, 422)
        self.assertContains(r, "不能为空", status_code=422)
        self.assertEqual(Ticket.objects.count(), 1)

    def test_figures_count_on_time_answers_and_satisfaction(self):
        from dangjian.tickets import actions

        ticket = self.dispatched()
        actions.check_sign(ticket, user=self.editor)
        actions.check_reply(ticket, "已处理", user=self.editor)
        actions.check_follow_up(ticket, "satisfied", user=self.operator)
        other = self.dispatched(unit_id=self.unit_b.pk)
        actions.check_send_back(other, "不属于本单位", user=self.editor_b)
        data = figures.summary(Ticket.objects.all())
        self.assertEqual(data["total"], 2)
        self.assertEqual(data["signed_on_time"], 1.0)
        self.assertEqual(data["answered_on_time"], 1.0)
        self.assertEqual(data["satisfaction"]["满意"], 1.0)
        self.assertEqual(data["send_back_rate"], 0.5)
        self.assertIn("漏水", dict(data["top_topics"]))
        now = timezone.now()
        window = plugins.Window(
            start=now - dt.timedelta(days=1),
            end=now + dt.timedelta(days=1),
            first_day=now.date(),
            last_day=now.date(),
        )
        counts = figures.count_for_dashboards(window)
        self.assertEqual(counts["tickets_dispatched"], {self.unit_a.pk: 1})
        self.assertEqual(counts["tickets_satisfied"], {self.unit_a.pk: 1})
        self.assertEqual(counts["tickets_sent_back"], {self.unit_b.pk: 1})
        # The page shows the viewer's own tickets only.
        self.client.force_login(self.editor_b)
        r = self.client.get("/tickets/figures/")
        self.assertEqual(r.context["f"]["total"], 0)

    def test_the_history_import_reaches_every_state(self):
        rows = [r for r in tiny_messages() if r.domain != "交通"][:80]
        summary = import_history(
            rows,
            operator=self.operator,
            handler_for=lambda unit: (
                self.editor if unit == self.unit_a else self.editor_b
            ),
            now=timezone.now(),
            days=20,
        )
        self.assertEqual(summary.created, 80)
        states = set(Ticket.objects.values_list("status", flat=True))
        self.assertLessEqual({Status.CLOSED, Status.SIGNED}, states)
        first = Ticket.objects.order_by("created_at").first()
        self.assertLess(first.created_at, timezone.now() - dt.timedelta(days=5))
        for t in Ticket.objects.filter(status=Status.CLOSED):
            stamps = list(t.events.values_list("created_at", flat=True))
            self.assertEqual(stamps, sorted(stamps))
