"""Shared fixtures for the policy-expert tests: two domains, three experts."""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from dangjian.experts.actions import do_save_expert, do_submit_question
from dangjian.experts.models import Expert, PolicyDomain
from dangjian.test import BaseTestCase, make_person

PRIVATE_ROOT = tempfile.mkdtemp(prefix="dangjian-experts-")

# A real unified social credit code with a valid check digit.
VALID_CREDIT_CODE = "91110000600037341L"

QUESTION_TEXT = "我公司是小规模纳税人，受疫情影响收入下降，增值税能否减免？"


@override_settings(
    DANGJIAN_PRIVATE_MEDIA_ROOT=PRIVATE_ROOT,
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DANGJIAN_SMS_BACKEND="dangjian.lib.sms.LogBackend",
)
class ExpertsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tax = PolicyDomain.objects.create(
            name="税费减免", keywords="税 增值税 所得税 减免 纳税"
        )
        cls.social = PolicyDomain.objects.create(
            name="社保与就业", keywords="社保 稳岗 返还 就业 失业保险"
        )
        cls.expert_person = make_person("taxman", "王建华", email="wang@example.com")
        cls.other_person = make_person("socialman", "陈立新")
        cls.expert = do_save_expert(
            Expert(
                name="王建华",
                unit=cls.unit_a,
                person=cls.expert_person,
                keywords="增值税 小规模纳税人",
            ),
            [cls.tax],
        )
        cls.other = do_save_expert(
            Expert(
                name="陈立新",
                unit=cls.unit_b,
                person=cls.other_person,
                keywords="稳岗返还",
            ),
            [cls.social],
        )
        cls.secretary.email = "secretary@example.com"
        cls.secretary.save(update_fields=["email"])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(PRIVATE_ROOT, ignore_errors=True)

    def submit(self, text=QUESTION_TEXT, domain=None, **fields):
        values = {
            "company_name": "乌海市恒达建材有限公司",
            "contact_name": "张伟",
            "mobile": "13947312345",
            "email": "zhang@example.com",
            "domain": domain or self.tax,
            "text": text,
        }
        values.update(fields)
        question, _created = do_submit_question(**values)
        return question

    def make_overdue(self, question, hours=1):
        past = timezone.now() - timedelta(hours=hours)
        type(question).objects.filter(pk=question.pk).update(due_at=past)
        question.refresh_from_db()
        return question

    def form_data(self, **overrides):
        data = {
            "company_name": "乌海市恒达建材有限公司",
            "credit_code": "",
            "contact_name": "张伟",
            "mobile": "13947312345",
            "email": "zhang@example.com",
            "domain": str(self.tax.pk),
            "text": QUESTION_TEXT,
            "submission_key": "",
        }
        data.update(overrides)
        return data
