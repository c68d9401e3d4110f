"""Ranking behaviour a hotline operator notices: cut words, look-alikes, abbreviations."""

from __future__ import annotations

import pytest

from dangjian.search import Document, get_index, register_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def index():
    register_index(
        "test_rank",
        fields={"title": 3.0, "body": 1.0},
        filters=["unit"],
    )
    return get_index("test_rank")


def doc(id, title, body="按规定办理。"):
    return Document(id=id, fields={"title": title, "body": body})


def ids(results):
    return [hit.id for hit in results.hits]


def test_a_word_cut_differently_in_query_and_document_is_still_found(index):
    # Alone, 上牌 is cut 上 / 牌; inside the title it is one word.
    index.upsert(
        [
            doc("1", "中签后可以在外地购买小客车回京上牌吗？"),
            doc("2", "外地牌照小客车进京需要办理什么手续？"),
        ]
    )
    assert ids(index.search("回京 上牌"))[0] == "1"


def test_a_title_holding_every_word_asked_outranks_one_sharing_a_word(index):
    index.upsert(
        [
            doc("1", "机动车报废后如何办理注销登记", "报废的机动车应当注销。"),
            doc("2", "机动车年检预约", "报废车辆不能年检，报废前请预约。"),
            doc("3", "驾驶证到期换证"),
        ]
    )
    assert ids(index.search("报废 注销"))[0] == "1"


def test_an_abbreviation_in_latin_letters_is_searched_as_text(index):
    # qflp is not pinyin: it is read as initials, and as the word itself.
    index.upsert(
        [
            doc("1", "QFLP试点基金管理企业申请条件"),
            doc("2", "企业申请试点补贴"),
        ]
    )
    assert ids(index.search("申请QFLP试点"))[0] == "1"


def test_snippets_are_built_only_for_the_fields_read(index):
    index.upsert([doc("1", "公积金提取", "提取公积金需要身份证。")])
    hit = index.search("公积金").hits[0]
    assert not hit.snippets._done
    assert hit.snippets["title"] == "<mark>公积金</mark>提取"
    assert set(hit.snippets._done) == {"title"}
    assert dict(hit.snippets) == {
        "title": "<mark>公积金</mark>提取",
        "body": "提取<mark>公积金</mark>需要身份证。",
    }


def test_traditional_characters_typed_find_simplified_entries(index):
    pytest.importorskip("opencc")
    index.upsert([doc("1", "灵活就业人员社会保险缴费基数")])
    results = index.search("社會保險繳費")
    assert ids(results) == ["1"]
    assert "<mark>" in results.hits[0].snippets["title"]
