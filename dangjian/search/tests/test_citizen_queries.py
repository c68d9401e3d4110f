"""How citizens ask (issue 22): thesaurus, question scaffolding, initials,
learned pairs. Each test states what a citizen or an operator notices."""

from __future__ import annotations

import pytest

from dangjian.search import Document, analysis, get_index, register_index, thesaurus
from dangjian.search.backends import tantivy_backend
from dangjian.search.models import Synonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def index():
    register_index("test_citizen", fields={"title": 3.0, "body": 1.0}, filters=[])
    return get_index("test_citizen")


def doc(id, title, body="按规定办理。"):
    return Document(id=id, fields={"title": title, "body": body})


def ids(results):
    return [hit.id for hit in results.hits]


# --- thesaurus --------------------------------------------------------------


def test_the_thesaurus_ships_narrow_synonym_groups_only():
    assert thesaurus.available()
    assert "登山" in thesaurus.related("爬山")
    assert "处罚" in thesaurus.related("罚")
    # 人 is in the broad group 人/士/人物/人士…: no alternatives from it.
    assert "人物" not in thesaurus.related("人")
    # No single-character alternatives (丢 → 掉, 少 would flood results).
    assert all(len(w) >= 2 for w in thesaurus.related("丢"))


def test_an_everyday_word_finds_the_entry_using_the_official_one(index):
    index.upsert(
        [
            doc("1", "登山中要注意什么", "结伴而行，带足饮水。"),
            doc("2", "雪天行车注意事项", "减速慢行。"),
        ]
    )
    assert ids(index.search("爬山 注意"))[0] == "1"


def test_a_thesaurus_word_counts_less_than_the_word_typed(index):
    index.upsert([doc("1", "爬山的好去处"), doc("2", "登山的好去处")])
    hits = index.search("爬山").hits
    assert [h.id for h in hits] == ["1", "2"]
    typed, thesaurus_hit = hits[0].score, hits[1].score
    assert thesaurus_hit < typed * 0.5


def test_the_admins_synonyms_stand_above_the_thesaurus(index, monkeypatch):
    # An admin group for a word: its thesaurus alternatives are not used.
    Synonym.objects.create(terms="爬山/徒步")
    analysis.invalidate_synonyms()
    aq = index.analyze("爬山")
    assert aq.groups[0][:2] == ["爬山", "徒步"]
    assert aq.related == [()]


def test_a_thesaurus_word_the_index_does_not_hold_costs_nothing(index, monkeypatch):
    index.upsert([doc("1", "爬山的好去处")])
    monkeypatch.setattr(tantivy_backend, "THESAURUS", 0.35)
    query = index.backend.build_query(index.analyze("爬山"))
    assert "登山" not in repr(query)


# --- question scaffolding -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "intent", "content"),
    [
        ("社保卡丢了咋办", ["how"], "社保卡"),
        ("档案去哪儿查", ["where"], "查"),
        ("占道费归谁管", ["who"], "占道费"),
        ("补办要多少钱", ["cost"], "补办"),
        ("能不能异地办理", ["can"], "异地"),
    ],
)
def test_question_words_are_read_as_intent_not_searched(typed, intent, content):
    aq = analysis.analyze_query(typed)
    assert aq.intent == intent
    words = [g[0] for g in aq.groups]
    assert content in words
    for scaffold in ("咋办", "去哪", "哪儿", "谁管", "多少钱", "能不能", "哪查"):
        assert scaffold not in words


def test_a_how_question_prefers_the_entry_that_says_how(index):
    index.upsert(
        [
            doc("1", "居住证是什么", "持证人享有基本公共服务。"),
            doc("2", "如何办理居住证", "到派出所申请。"),
            doc("3", "公积金提取条件", "购房、租房可提取。"),
        ]
    )
    assert ids(index.search("居住证咋办"))[0] == "2"


# --- initials and pinyin from the index's vocabulary --------------------------


def test_initials_beside_chinese_find_the_indexs_frequent_word(index):
    index.upsert(
        [
            doc("1", "社保如何转移", "社保关系转移接续。"),
            doc("2", "社保缴费证明", "网上打印。"),
            doc("3", "社保卡补办", "到银行网点。"),
            doc("4", "特种设备如何转移登记", "设备过户。"),
            doc("5", "设备进口免税", "海关办理。"),
            doc("6", "居住证如何申领", "到派出所。"),
            doc("7", "居住证签注", "每年签注。"),
        ]
    )
    vocabulary = index.backend.vocabulary()
    # The index's words with those initials, the most frequent first:
    # 社保 (3 documents) before 设备 (2).
    assert [w for w, _ in vocabulary.spelled("sb")] == ["社保", "设备"]
    assert ids(index.search("sb 转移"))[0] == "1"
    assert ids(index.search("jzz 申领"))[0] == "6"
    assert ids(index.search("juzhuzheng 申领"))[0] == "6"


def test_a_word_held_by_one_document_only_is_not_a_spelling(index):
    index.upsert([doc("1", "居住证如何申领"), doc("2", "建筑资质申领")])
    assert index.backend.vocabulary().spelled("jzz") == []


def test_the_vocabulary_follows_writes_in_another_process(tmp_path, settings):
    from dangjian.search.types import IndexSpec

    spec = IndexSpec(
        name="vocab", fields={"title": 3.0}, filters=(), pinyin_fields=("title",)
    )
    one = tantivy_backend.TantivyBackend(spec, tmp_path)
    other = tantivy_backend.TantivyBackend(spec, tmp_path)
    one.write([doc_t("1", "公积金提取"), doc_t("2", "公积金贷款")], [])
    assert other.vocabulary().spelled("gjj")[0][0] == "公积金"
    one.write([doc_t("3", "居住证办理"), doc_t("4", "居住证签注")], [])
    other.searcher()  # a search reads the other process's commit
    assert other.vocabulary().spelled("jzz")[0][0] == "居住证"
    assert other.vocabulary().spelled("gjj")[0][0] == "公积金"


def doc_t(id, title):
    return Document(id=id, fields={"title": title})


# --- the character channel ----------------------------------------------------


def test_an_everyday_word_sharing_a_character_with_the_official_one_ranks_it_first(
    index,
):
    # 取出 is no word of either title; its 取 is a character of 提取.
    index.upsert(
        [
            doc("1", "住房公积金缴存基数如何调整"),
            doc("2", "提取住房公积金需要什么条件"),
        ]
    )
    assert ids(index.search("公积金取出来"))[0] == "2"


def test_the_character_channel_counts_each_character_typed_once_and_no_stop_word(
    index,
):
    aq = analysis.analyze_query("驾照的照片 驾照")
    assert aq.content == ["驾照", "照片"]
    assert index.backend._query_chars(aq, index.backend.searcher()) == [
        "驾",
        "照",
        "片",
    ]


def test_a_long_question_is_matched_by_its_rarest_characters_only(index, monkeypatch):
    index.upsert([doc(str(i), f"事项{i}的办理须知") for i in range(6)])
    index.upsert([doc("x", "公积金提取")])
    monkeypatch.setattr(tantivy_backend, "COMMON_MIN_DOCS", 1)
    monkeypatch.setattr(tantivy_backend, "CHAR_COMMON", 1.0)
    monkeypatch.setattr(tantivy_backend, "MAX_CHARS", 2)
    aq = analysis.analyze_query("公积金 须知")
    # 公 and 积 are held by one document, 须 and 知 by six.
    assert index.backend._query_chars(aq, index.backend.searcher()) == ["公", "积"]


def test_a_character_most_documents_hold_is_not_matched_alone(index, monkeypatch):
    # 办 is in every title: matching it alone costs its whole posting list
    # and tells nothing, so in a large index it finds nothing by itself.
    index.upsert([doc(str(i), f"第{i}号事项的办理") for i in range(5)])
    index.upsert([doc("x", "另一件事情")])
    aq = analysis.analyze_query("办")
    backend = index.backend
    assert backend.search(backend.build_query(aq), None, 10, 0)[0] == 5
    monkeypatch.setattr(tantivy_backend, "COMMON_MIN_DOCS", 1)
    monkeypatch.setattr(tantivy_backend, "CHAR_COMMON", 0.5)
    assert backend.search(backend.build_query(aq), None, 10, 0)[0] == 0
