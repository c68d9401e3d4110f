"""The automatic confidentiality scan (保密扫描): plain functions over text.

Each rule returns the exact spans it found. Offsets are into the plain text
of one field (title, body, or one attachment), so a reviewer sees the span
in its context. Full-width digits are read as digits without moving offsets.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from stdnum import luhn
from stdnum.cn import ric

RULE_MARKING = "marking"
RULE_ID = "id_number"
RULE_MOBILE = "mobile"
RULE_LANDLINE = "landline"
RULE_BANK = "bank_card"
RULE_ADDRESS = "address"
RULE_NAME = "name_with_id"
RULE_TERM = "term"
RULE_UNREADABLE = "unreadable"

CONTEXT = 24


@dataclass(frozen=True)
class Finding:
    rule: str
    field: str
    start: int
    end: int
    text: str
    before: str = ""
    after: str = ""


# One character in, one character out, so offsets stay valid.
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ｘＸ－（）：　", "0123456789xX-():" + " "
)

_MARKING = re.compile(
    r"(?:★\s*)?(?:绝密|机密|秘密)(?:\s*★\s*(?:[0-9一二三四五六七八九十]+\s*年|长期)?)?"
    r"|内部资料|注意保存"
)
_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])"
)
_LANDLINE = re.compile(
    r"(?<![0-9])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)[2-9]\d{6,7}(?:-\d{1,5})?(?![0-9])"
)
_BANK = re.compile(
    r"(?<![0-9])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9])"
)
_ADDRESS_LABELLED = re.compile(
    r"(?:家庭住址|家庭地址|现住址|住址|户籍地址|户籍所在地|居住地址|现居住地|通讯地址)"
    r"[:：\s]*([^\s，,。；;）)]{4,40})"
)
_ADDRESS_DETAILED = re.compile(
    r"[\u4e00-\u9fa5]{2,12}(?:路|街|巷|弄|大道|村|里)\d+号(?:院)?"
    r"(?:\d+(?:栋|幢|号楼|单元))+(?:\d+(?:室|号))?"
    r"|[\u4e00-\u9fa5]{2,12}(?:小区|花园|公寓|家园|新村|苑)\d+(?:栋|幢|号楼)"
    r"(?:\d+单元)?(?:\d+(?:室|号))?"
)
_NAME_LABEL = re.compile(r"姓名[:：\s]*([\u4e00-\u9fa5]{2,4})")

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
    "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐"
    "易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟"
    "邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


def id_checksum_ok(number: str) -> bool:
    """Returns True when an 18-character resident ID number has a valid check code.

    The birth place is not checked (python-stdnum's ``validate`` would): a
    confidentiality scan must not miss a real number whose region code is
    newer than the library's table.
    """
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return ric.calc_check_digit(number) == number[17]


def _date_ok(year: str, month: str, day: str) -> bool:
    import datetime as dt

    try:
        born = dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return 1900 <= born.year <= dt.date.today().year


def luhn_ok(digits: str) -> bool:
    return luhn.is_valid(digits)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _finding(rule, field, text, start, end) -> Finding:
    return Finding(
        rule=rule,
        field=field,
        start=start,
        end=end,
        text=text[start:end],
        before=text[max(0, start - CONTEXT) : start],
        after=text[end : end + CONTEXT],
    )


def find_markings(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _MARKING.finditer(text)]


def find_id_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of 18-digit resident ID numbers with a valid date and check code."""
    spans = []
    for m in _ID.finditer(text.translate(_FULLWIDTH)):
        if _date_ok(*m.groups()) and id_checksum_ok(m.group(0)):
            spans.append(m.span())
    return spans


def find_mobiles(text: str, exclude=()) -> list[tuple[int, int]]:
    spans = []
    for m in _MOBILE.finditer(text.translate(_FULLWIDTH)):
        if not _overlaps(*m.span(), exclude):
            spans.append(m.span())
    return spans


def find_landlines(text: str, exclude=()) -> list[tuple[int, int]]:
    return [
        m.span()
        for m in _LANDLINE.finditer(text.translate(_FULLWIDTH))
        if not _overlaps(*m.span(), exclude)
    ]


def find_bank_cards(text: str, exclude=()) -> list[tuple[int, int]]:
    spans = []
    for m in _BANK.finditer(text.translate(_FULLWIDTH)):
        digits = re.sub(r"\D", "", m.group(0))
        if (
            16 <= len(digits) <= 19
            and digits[0] in "3456"
            and luhn_ok(digits)
            and not _overlaps(*m.span(), exclude)
        ):
            spans.append(m.span())
    return spans


def find_addresses(text: str) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in _ADDRESS_LABELLED.finditer(text)]
    for m in _ADDRESS_DETAILED.finditer(text.translate(_FULLWIDTH)):
        if not _overlaps(*m.span(), spans):
            spans.append(m.span())
    return sorted(spans)


def find_names_near_ids(text: str, id_spans) -> list[tuple[int, int]]:
    """Personal names written right before an ID number, or labelled 姓名 beside one."""
    if not id_spans:
        return []
    spans = set()
    for start, _end in id_spans:
        window_start = max(0, start - 20)
        window = text[window_start:start]
        window = re.sub(r"(?:公民)?身份(?:证)?(?:号码|号)?[：:\s]*$", "", window)
        window = re.sub(r"[，,、：:\s（(]*$", "", window)
        window = re.sub(r"(?:同志|先生|女士)$", "", window)
        run = re.search(r"[\u4e00-\u9fa5]{2,}$", window)
        if not run:
            continue
        chars = run.group(0)
        for size in (3, 2):
            if len(chars) >= size and chars[-size] in SURNAMES:
                name_start = window_start + run.end() - size
                spans.add((name_start, name_start + size))
                break
    for m in _NAME_LABEL.finditer(text):
        if m.group(1)[0] in SURNAMES:
            spans.add(m.span(1))
    return sorted(spans)


def find_terms(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    lowered = text.lower()
    for term in terms:
        term = term.strip().lower()
        if not term:
            continue
        start = lowered.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = lowered.find(term, start + len(term))
    return sorted(spans)


def scan_text(text: str, field: str, terms: Iterable[str] = ()) -> list[Finding]:
    """Runs every rule over one field's plain text; returns findings in text order."""
    if not text:
        return []
    found: list[Finding] = []
    ids = find_id_numbers(text)
    banks = find_bank_cards(text, exclude=ids)
    numbers = ids + banks
    rules = [
        (RULE_MARKING, find_markings(text)),
        (RULE_ID, ids),
        (RULE_BANK, banks),
        (RULE_MOBILE, find_mobiles(text, exclude=numbers)),
        (RULE_LANDLINE, find_landlines(text, exclude=numbers)),
        (RULE_ADDRESS, find_addresses(text)),
        (RULE_NAME, find_names_near_ids(text, ids)),
        (RULE_TERM, find_terms(text, terms)),
    ]
    for rule, spans in rules:
        found += [_finding(rule, field, text, s, e) for s, e in spans]
    return sorted(found, key=lambda f: (f.start, f.rule))


_BLOCK_END = re.compile(
    r"</(?:p|h[1-6]|li|blockquote|div|tr)>|<br\s*/?>|<hr\s*/?>", re.I
)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """Plain text of rich text, one line per block, entities decoded."""
    text = _BLOCK_END.sub("\n", value or "")
    text = _TAG.sub("", text)
    return html.unescape(text).strip()


def extract_text(name: str, data: bytes) -> str | None:
    """Text of an attachment, or None when its format cannot be read."""
    lower = name.lower()
    try:
        if lower.endswith((".txt", ".csv", ".md")):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
            return None
        if lower.endswith(".docx"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                xml = archive.read("word/document.xml").decode("utf-8")
            xml = re.sub(r"</w:p>", "\n", xml)
            return html.unescape(_TAG.sub("", xml)).strip()
        if lower.endswith(".xlsx"):
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            lines = []
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells = [str(c) for c in row if c is not None]
                    if cells:
                        lines.append(" ".join(cells))
            return "\n".join(lines)
        if lower.endswith(".pdf"):
            try:
                from pypdf import PdfReader
            except ImportError:
                return None
            from pypdf.errors import PyPdfError

            try:
                reader = PdfReader(io.BytesIO(data))
                return "\n".join(page.extract_text() or "" for page in reader.pages)
            except PyPdfError:
                # A damaged PDF is "cannot be scanned": the reviewer decides on it.
                return None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None
