"""An enterprise on a phone asks a question and reaches its tracking page."""

import pytest

from dangjian.experts.actions import do_save_expert
from dangjian.experts.models import Expert, PolicyDomain, Question
from dangjian.orgs.models import Organisation
from dangjian.test import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.fixture
def directory(settings, tmp_path):
    settings.DANGJIAN_PRIVATE_MEDIA_ROOT = str(tmp_path)
    unit = Organisation.add_root(
        name="市税务局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    tax = PolicyDomain.objects.create(name="税费减免", keywords="增值税 减免")
    PolicyDomain.objects.create(name="社保与就业", keywords="社保 稳岗")
    do_save_expert(
        Expert(name="王建华", unit=unit, title="纳税服务科科长", keywords="增值税"),
        [tax],
    )
    return tax


def test_an_enterprise_asks_on_a_phone_and_tracks_the_question(
    directory, live_server, browser, tmp_path
):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(live_server.url + "/experts/")
    assert page.locator("h1").first.inner_text() == "政策专员"
    assert page.get_by_text("王建华").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # A wrong mobile number first: the form says what is wrong and keeps the input.
    page.fill("#id_company_name", "乌海市恒达建材有限公司")
    page.fill("#id_contact_name", "张伟")
    page.fill("#id_mobile", "12345")
    page.select_option("#id_domain", label="税费减免")
    page.fill("#id_text", "我公司是小规模纳税人，受疫情影响收入下降，增值税能否减免？")
    page.get_by_role("button", name="提交问题").click()
    assert page.get_by_text("请填写11位手机号码").is_visible()
    assert page.input_value("#id_company_name") == "乌海市恒达建材有限公司"
    page.screenshot(path=str(ARTIFACTS / "experts-form-error-375.png"), full_page=True)

    page.fill("#id_mobile", "13947312345")
    attachment = tmp_path / "营业执照.pdf"
    attachment.write_bytes(b"%PDF-1.4\n" + b"0" * 200)
    page.set_input_files("#id_attachments", str(attachment))
    page.select_option("#id_domain", label="税费减免")
    page.get_by_role("button", name="提交问题").click()
    page.wait_for_url("**/experts/q/**")
    question = Question.objects.get()
    assert page.url.endswith(question.get_absolute_url())
    assert page.get_by_role("heading", name="我的政策咨询").is_visible()
    assert page.get_by_text("待答复").first.is_visible()
    assert page.get_by_text("王建华（市税务局）").is_visible()
    assert page.get_by_text("营业执照.pdf").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "experts-track-375.png"), full_page=True)
    page.close()
