"""Unit admins keep their unit's experts; experts find their work on "my page"."""

from dangjian.experts.actions import EXPERT_GROUP
from dangjian.experts.models import Expert
from dangjian.experts.tests.base import ExpertsTestCase
from dangjian.test import PASSWORD, make_person


class ExpertAdminTestCase(ExpertsTestCase):
    url = "/admin/experts/directory/"

    def test_a_unit_admin_registers_an_expert_of_their_unit(self):
        person = make_person("newexpert", "新专员")
        self.client.login(username="secretary", password=PASSWORD)
        listing = self.client.get(self.url)
        self.assertContains(listing, "王建华")
        self.assertNotContains(listing, "陈立新")
        data = {
            "name": "新专员",
            "unit": str(self.unit_a.pk),
            "title": "",
            "person": str(person.pk),
            "domains": [str(self.tax.pk)],
            "keywords": "发票",
            "contact_hours": "工作日",
            "phone": "",
            "email": "",
            "bio": "",
            "is_active": "on",
        }
        r = self.client.post(self.url + "new/", data)
        self.assertEqual(r.status_code, 302)
        expert = Expert.objects.get(name="新专员")
        self.assertEqual(list(expert.domains.all()), [self.tax])
        # The linked account can now open the admin and its questions.
        self.assertTrue(person.groups.filter(name=EXPERT_GROUP).exists())
        # Another unit is not a choice.
        r = self.client.post(
            self.url + "new/", {**data, "name": "越权", "unit": str(self.unit_b.pk)}
        )
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Expert.objects.filter(name="越权").exists())
        other = self.client.get(f"{self.url}edit/{self.other.pk}/")
        self.assertIn(other.status_code, (302, 403, 404))

    def test_editors_do_not_manage_experts(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get(self.url)
        self.assertIn(r.status_code, (302, 403))


class MyPageTestCase(ExpertsTestCase):
    def test_an_expert_sees_waiting_questions_on_my_page(self):
        self.make_overdue(self.submit())
        self.submit()
        self.client.login(username="taxman", password=PASSWORD)
        r = self.client.get("/me/")
        self.assertContains(r, "专员工作台")
        self.assertContains(r, "待答复 2 件")
        self.assertContains(r, "其中超时 1 件")

    def test_a_member_sees_no_expert_panel(self):
        self.client.login(username="member", password=PASSWORD)
        self.assertNotContains(self.client.get("/me/"), "专员工作台")
