"""党费: every band edge and member kind, arrears after missed months, and
the signed payment callback (bad signature, expiry, replay)."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from dangjian.orglife import dues, payments
from dangjian.orglife.actions import do_declare_base, do_record_payment
from dangjian.orglife.models import DuesDeclaration, DuesPayment, PaymentOrder
from dangjian.orglife.tests.base import OrglifeTestCase

D = dt.date
SECRET = "test-payment-secret"
SECRET_BYTES = SECRET.encode()


class QuoteTestCase(OrglifeTestCase):
    def quote(self, base, kind):
        return self.client.get("/api/dues/quote", {"base": base, "kind": kind})

    def test_the_issue_example(self):
        r = self.quote("6000", "employed")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            {k: r.json()[k] for k in ("monthly", "rate")},
            {"monthly": "90.00", "rate": "0.015"},
        )

    def test_every_band_edge(self):
        cases = [
            ("employed", "0", "0.00", "0.005"),
            ("employed", "2999.99", "15.00", "0.005"),
            ("employed", "3000", "15.00", "0.005"),
            ("employed", "3000.01", "30.00", "0.01"),
            ("employed", "5000", "50.00", "0.01"),
            ("employed", "5000.01", "75.00", "0.015"),
            ("employed", "10000", "150.00", "0.015"),
            ("employed", "10000.01", "200.00", "0.02"),
            ("employed", "4321.50", "43.22", "0.01"),  # half up to the fen
            ("retired", "5000", "25.00", "0.005"),
            ("retired", "5000.01", "50.00", "0.01"),
            ("retired", "3000", "15.00", "0.005"),
        ]
        for kind, base, monthly, rate in cases:
            with self.subTest(kind=kind, base=base):
                body = self.quote(base, kind).json()
                self.assertEqual((body["monthly"], body["rate"]), (monthly, rate))

    def test_fixed_amount_kinds(self):
        for kind, low, high in [
            ("farmer", "0.20", "1.00"),
            ("student", "0.20", "0.20"),
            ("unemployed", "0.20", "0.20"),
            ("subsistence", "0.20", "0.20"),
        ]:
            with self.subTest(kind=kind):
                body = self.quote("0", kind).json()
                self.assertEqual(
                    body,
                    {"monthly": low, "rate": None, "fixed_min": low, "fixed_max": high},
                )
        self.assertEqual(
            dues.quote(Decimal("0"), "farmer", Decimal("0.5")).monthly, Decimal("0.50")
        )
        with self.assertRaisesMessage(ValidationError, "0.20 至 1.00"):
            dues.quote(Decimal("0"), "farmer", Decimal("2"))

    def test_bad_input_is_refused_in_chinese(self):
        for base, kind, words in [
            ("abc", "employed", "须为数字"),
            ("-1", "employed", "不能为负数"),
            ("1e12", "employed", "过大"),
            ("NaN", "employed", "须为数字"),
            ("100.123", "employed", "两位小数"),
            ("6000", "boss", "党员类别"),
            ("", "employed", "须为数字"),
        ]:
            with self.subTest(base=base, kind=kind):
                r = self.quote(base, kind)
                self.assertEqual(r.status_code, 422)
                self.assertEqual(r.json()["code"], "invalid")
                self.assertIn(words, r.json()["detail"])


class ArrearsTestCase(OrglifeTestCase):
    def test_months_missed_are_owed_and_the_current_month_is_not(self):
        declaration = do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000", confirm=True
        )
        do_record_payment(declaration, [D(2025, m, 1) for m in range(1, 10)], "cash")
        found = dues.arrears(DuesDeclaration.objects.all(), today=D(2025, 12, 6))
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0].months, [D(2025, 10, 1), D(2025, 11, 1)])
        self.assertEqual(found[0].owed, Decimal("180.00"))
        # After the year, December is owed too.
        found = dues.arrears(DuesDeclaration.objects.all(), today=D(2026, 2, 1))
        self.assertEqual(len(found[0].months), 3)

    def test_a_probationary_member_owes_from_the_month_admitted(self):
        do_declare_base(
            self.member2,
            self.branch_a1,
            2025,
            "student",
            "0",
            starts_on=D(2025, 7, 15),
            confirm=True,
        )
        found = dues.arrears(DuesDeclaration.objects.all(), today=D(2025, 10, 2))
        self.assertEqual(found[0].months, [D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)])
        self.assertEqual(found[0].owed, Decimal("0.60"))

    def test_an_unconfirmed_base_owes_nothing_yet_and_a_paid_month_is_refused(self):
        declaration = do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000"
        )
        self.assertEqual(
            dues.arrears(DuesDeclaration.objects.all(), D(2025, 12, 1)), []
        )
        with self.assertRaisesMessage(ValidationError, "尚未经支部确认"):
            do_record_payment(declaration, [D(2025, 1, 1)], "cash")
        declaration = do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000", confirm=True
        )
        do_record_payment(declaration, [D(2025, 1, 1)], "cash")
        with self.assertRaisesMessage(ValidationError, "已缴纳"):
            do_record_payment(declaration, [D(2025, 2, 1), D(2025, 1, 1)], "cash")
        self.assertEqual(DuesPayment.objects.count(), 1)

    def test_a_member_cannot_change_a_confirmed_base(self):
        do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000", confirm=True
        )
        with self.assertRaisesMessage(ValidationError, "已由支部确认"):
            do_declare_base(self.member, self.branch_a1, 2025, "employed", "2000")
        self.assertEqual(DuesDeclaration.objects.get().monthly, Decimal("90.00"))

    def test_my_dues_api(self):
        do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000", confirm=True
        )
        self.client.force_login(self.member)
        body = self.client.get("/api/dues/mine").json()
        self.assertEqual(body[0]["monthly"], "90.00")
        self.assertEqual(len(body[0]["months_owed"]), 12)
        self.assertEqual(body[0]["owed"], "1080.00")
        self.client.logout()
        self.assertEqual(self.client.get("/api/dues/mine").status_code, 401)


@override_settings(DANGJIAN_PAYMENT_SECRET=SECRET)
class CallbackTestCase(OrglifeTestCase):
    def setUp(self):
        self.declaration = do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000", confirm=True
        )
        self.order = payments.do_start_order(
            self.declaration, [D(2025, 3, 1), D(2025, 4, 1)]
        )
        self.url = reverse("orglife:dues-callback")

    def post(self, body: dict, *, nonce="nonce-0001", key=SECRET_BYTES, ts=None):
        raw = json.dumps(body).encode()
        ts = str(int(time.time()) if ts is None else ts)
        return self.client.post(
            self.url,
            raw,
            content_type="application/json",
            headers={
                "X-Payment-Timestamp": ts,
                "X-Payment-Nonce": nonce,
                "X-Payment-Signature": payments.sign(raw, ts, nonce, key),
            },
        )

    def paid(self, **extra):
        return {
            "order": self.order.reference,
            "status": "paid",
            "amount": "180.00",
            **extra,
        }

    def test_a_signed_callback_settles_the_order(self):
        r = self.post(self.paid())
        self.assertEqual(r.status_code, 200)
        self.order.refresh_from_db()
        self.assertEqual(self.order.status, PaymentOrder.Status.PAID)
        self.assertEqual(
            sorted(DuesPayment.objects.values_list("month", "amount", "method")),
            [
                (D(2025, 3, 1), Decimal("90.00"), "online"),
                (D(2025, 4, 1), Decimal("90.00"), "online"),
            ],
        )

    def test_a_bad_signature_is_refused(self):
        r = self.post(self.paid(), key=b"wrong-secret")
        self.assertEqual((r.status_code, r.json()["code"]), (401, "bad_signature"))
        raw = json.dumps(self.paid()).encode()
        r = self.client.post(self.url, raw, content_type="application/json")
        self.assertEqual(r.status_code, 401)
        self.assertFalse(DuesPayment.objects.exists())

    def test_a_replay_is_refused(self):
        self.assertEqual(self.post(self.paid()).status_code, 200)
        r = self.post(self.paid())
        self.assertEqual((r.status_code, r.json()["code"]), (409, "replay"))
        self.assertEqual(DuesPayment.objects.count(), 2)
        # The provider's retry with a fresh nonce changes nothing either.
        self.assertEqual(self.post(self.paid(), nonce="nonce-0002").status_code, 200)
        self.assertEqual(DuesPayment.objects.count(), 2)

    def test_an_old_timestamp_and_a_wrong_amount_are_refused(self):
        r = self.post(self.paid(), ts=int(time.time()) - 3600)
        self.assertEqual((r.status_code, r.json()["code"]), (401, "expired"))
        r = self.post(self.paid(amount="1.00"), nonce="nonce-0003")
        self.assertEqual((r.status_code, r.json()["code"]), (409, "amount_mismatch"))
        self.assertFalse(DuesPayment.objects.exists())
        self.order.refresh_from_db()
        self.assertEqual(self.order.status, PaymentOrder.Status.PENDING)

    @override_settings(DANGJIAN_PAYMENT_SECRET="")
    def test_without_a_secret_nothing_is_accepted(self):
        r = self.post(self.paid(), key=b"")
        self.assertEqual(r.status_code, 503)
        self.assertFalse(DuesPayment.objects.exists())
