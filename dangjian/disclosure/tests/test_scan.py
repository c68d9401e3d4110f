"""Each scan rule, with true and false positives."""

import io
import zipfile

from dangjian.disclosure import scan

VALID_ID = "110101199003077571"  # check code verified by id_checksum_ok
INVALID_ID = "110101199003077578"  # same number, wrong check code


def rules(text, terms=()):
    return [(f.rule, f.text) for f in scan.scan_text(text, "正文", terms)]


def test_it_verifies_the_id_checksum():
    assert scan.id_checksum_ok(VALID_ID)
    assert scan.id_checksum_ok("11010519491231002X")
    assert not scan.id_checksum_ok(INVALID_ID)


def test_it_flags_a_valid_id_number_with_its_exact_span():
    text = f"申请人身份证号：{VALID_ID}，已核验。"
    findings = [f for f in scan.scan_text(text, "正文") if f.rule == "id_number"]
    assert len(findings) == 1
    f = findings[0]
    assert text[f.start : f.end] == VALID_ID
    assert f.before.endswith("身份证号：")


def test_it_ignores_an_id_number_with_a_bad_checksum_or_date():
    assert ("id_number", INVALID_ID) not in rules(f"编号 {INVALID_ID}")
    # A plausible checksum cannot rescue an impossible birth date (month 13).
    assert not [r for r in rules("110101199013077571") if r[0] == "id_number"]


def test_it_reads_full_width_digits():
    wide = VALID_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert [r for r in rules(f"证件{wide}") if r[0] == "id_number"]


def test_it_flags_mobile_numbers_but_not_inside_longer_digit_strings():
    assert ("mobile", "13912345678") in rules("联系电话13912345678。")
    assert ("mobile", "139 1234 5678") in rules("手机：139 1234 5678")
    assert ("mobile", "+86 13912345678") in rules("电话 +86 13912345678")
    assert not [r for r in rules("订单号2023139123456780001") if r[0] == "mobile"]
    assert not [r for r in rules("12345 热线") if r[0] == "mobile"]


def test_an_id_number_is_not_also_reported_as_a_phone_or_card():
    found = rules(f"身份证{VALID_ID}")
    assert [r[0] for r in found].count("id_number") == 1
    assert not [r for r in found if r[0] in ("mobile", "bank_card", "landline")]


def test_it_flags_landlines_with_an_area_code():
    assert ("landline", "0473-2012345") in rules("办公电话0473-2012345")
    assert ("landline", "（010）62345678") in rules("电话（010）62345678")
    assert not [r for r in rules("2026-11-29 开会") if r[0] == "landline"]
    assert not [r for r in rules("拨打12345") if r[0] == "landline"]


def test_it_flags_bank_cards_that_pass_luhn_only():
    assert scan.luhn_ok("6222020200112233445") is False
    good = "6222021234567890128"
    assert scan.luhn_ok(good)
    assert ("bank_card", good) in rules(f"工资卡号{good}")
    assert ("bank_card", "6222 0212 3456 7890 128") in rules(
        "卡号6222 0212 3456 7890 128"
    )
    assert not [r for r in rules("卡号6222021234567890127") if r[0] == "bank_card"]


def test_it_flags_classification_markings_and_their_star_forms():
    found = rules("本文件为机密★10年，另附秘密★材料和内部资料，请注意保存。★绝密")
    texts = [t for r, t in found if r == "marking"]
    assert "机密★10年" in texts
    assert "秘密★" in texts
    assert "内部资料" in texts
    assert "注意保存" in texts
    assert "★绝密" in texts


def test_it_does_not_flag_words_that_only_look_like_markings():
    assert not [
        r for r in rules("加强保密工作，密切联系群众，机关党建。") if r[0] == "marking"
    ]


def test_it_flags_personal_addresses():
    found = rules("家庭住址：海勃湾区滨河路18号3栋2单元501室，")
    assert ("address", "海勃湾区滨河路18号3栋2单元501室") in found
    assert [r for r in rules("住在阳光小区5栋302室") if r[0] == "address"]
    # An office address without a flat is not a personal address.
    assert not [r for r in rules("会议地点：市政府大楼三楼会议室") if r[0] == "address"]


def test_it_flags_a_name_next_to_an_id_number_only():
    assert ("name_with_id", "张伟") in rules(f"报名人张伟，身份证号：{VALID_ID}")
    assert ("name_with_id", "欧阳娜娜") not in rules("欧阳娜娜同志表现突出")
    assert ("name_with_id", "李明") in rules(f"姓名：李明 证件：{VALID_ID}")
    assert not [r for r in rules("姓名：李明，职务：科长") if r[0] == "name_with_id"]


def test_it_flags_configured_sensitive_terms():
    found = rules("这是内部讨论稿，请勿外传", terms=["内部讨论稿", " "])
    assert ("term", "内部讨论稿") in found
    assert not [r for r in rules("正式印发", terms=["内部讨论稿"]) if r[0] == "term"]


def test_it_reads_text_of_attachments():
    assert (
        scan.extract_text("a.txt", "电话13912345678".encode("gb18030"))
        == "电话13912345678"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "word/document.xml",
            "<w:document><w:body><w:p><w:r><w:t>秘密★1年</w:t></w:r></w:p></w:body></w:document>",
        )
    assert "秘密★1年" in scan.extract_text("a.docx", buffer.getvalue())
    assert scan.extract_text("a.docx", b"not a zip") is None
    assert scan.extract_text("a.bin", b"\x00") is None


def test_html_to_text_keeps_blocks_apart():
    assert scan.html_to_text("<p>甲&amp;乙</p><p>丙</p>") == "甲&乙\n丙"
