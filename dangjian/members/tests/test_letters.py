from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from dangjian.members.letters import check_issue_letter, do_record_receipt
from dangjian.members.tests.base import MembersTestCase
from dangjian.orgs.scope import scope_for


class LetterTestCase(MembersTestCase):
    def test_the_out_of_city_letter_is_a_numbered_pdf_with_a_receipt(self):
        letter = check_issue_letter(
            self.profile, destination="中共外市委组织部", acting_user=self.secretary
        )
        self.client.force_login(self.secretary)
        response = self.client.get(reverse("members_letter_pdf", args=[letter.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(response.content)).pages
        )
        self.assertIn(f"第 {letter.number} 号", text)
        self.assertIn("张党员", text)
        self.assertIn("中共外市委组织部", text)
        self.assertIn("回执", text)
        self.assertEqual(text.count(letter.number), 2)
        self.assertNotIn(self.full_id, text)

    def test_the_member_is_transferred_out_until_the_receipt_is_recorded(self):
        letter = check_issue_letter(
            self.profile, destination="中共外市委组织部", acting_user=self.secretary
        )
        self.profile.refresh_from_db()
        self.member.refresh_from_db()
        self.assertEqual(self.profile.status, "转出")
        self.assertFalse(self.member.is_active)
        self.assertFalse(scope_for(self.member).member_of)
        with self.assertRaises(PermissionDenied):
            do_record_receipt(letter, acting_user=self.secretary_b)
        letter = do_record_receipt(letter, acting_user=self.secretary)
        self.assertIsNotNone(letter.receipt_recorded_at)

    def test_letters_are_numbered_in_order_and_refused_to_other_units(self):
        first = check_issue_letter(
            self.profile, destination="外市甲支部", acting_user=self.secretary
        )
        second = check_issue_letter(
            self.newcomer, destination="外市乙支部", acting_user=self.secretary
        )
        self.assertEqual(int(second.number), int(first.number) + 1)
        with self.assertRaises(PermissionDenied):
            check_issue_letter(
                self.profile_b, destination="外市", acting_user=self.secretary
            )
        self.client.force_login(self.secretary_b)
        response = self.client.get(reverse("members_letter_pdf", args=[first.pk]))
        self.assertIn(response.status_code, (302, 403))
        self.assertNotIn(b"%PDF", response.content[:10])
