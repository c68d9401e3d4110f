"""The public interface other apps rely on: register, upsert, search, delete."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from dangjian.search import Document, get_index, register_index
from dangjian.search.models import Synonym

pytestmark = pytest.mark.django_db

DOCS = [
    Document(
        id="1",
        fields={
            "title": "住房公积金提取办理指南",
            "body": "职工购买、建造自住住房的，可以申请提取住房公积金。",
        },
        filters={"unit": "7", "audience": ["public"], "year": "2024"},
    ),
    Document(
        id="2",
        fields={
            "title": "冬季供暖问题",
            "body": "家里温度不达标可以拨打12345热线反映。",
        },
        filters={"unit": "8", "audience": ["org:12"], "year": "2024"},
    ),
    Document(
        id="3",
        fields={"title": "社会保险缴费基数", "body": "灵活就业人员缴费说明。"},
        filters={"unit": "7", "audience": ["public", "org:12"], "year": "2023"},
    ),
]


@pytest.fixture
def index():
    register_index(
        "test_docs",
        fields={"title": 3.0, "body": 1.0},
        filters=["unit", "audience", "year"],
        feeder=lambda: iter(DOCS),
    )
    index = get_index("test_docs")
    index.upsert(DOCS)
    return index


def ids(results):
    return [hit.id for hit in results.hits]


def test_it_finds_and_ranks_by_query_terms(index):
    results = index.search("公积金 提取")
    assert ids(results) == ["1"]
    assert results.total == 1
    assert results.hits[0].score > 0


def test_it_highlights_and_escapes_snippets(index):
    index.upsert(
        [Document(id="9", fields={"title": "<b>公积金</b>贷款", "body": "x<script>"})]
    )
    hit = next(h for h in index.search("公积金").hits if h.id == "9")
    assert hit.snippets["title"] == "&lt;b&gt;<mark>公积金</mark>&lt;/b&gt;贷款"
    assert hit.snippets["body"] == "x&lt;script&gt;"


def test_snippets_mark_words_written_in_traditional_or_full_width_form(index):
    # The marks sit on the text as written; matching folds it first.
    index.upsert(
        [
            Document(
                id="t",
                fields={
                    "title": "住房公積金提取",
                    "body": "憑ＡＰＰ或App辦理，費用全免。",
                },
            )
        ]
    )
    hit = next(h for h in index.search("公积金 app").hits if h.id == "t")
    # 住房公积金 is a synonym of 公积金 in the seeded table.
    assert hit.snippets["title"] == "<mark>住房公積金</mark>提取"
    assert (
        hit.snippets["body"]
        == "憑<mark>ＡＰＰ</mark>或<mark>App</mark>辦理，費用全免。"
    )


def test_it_replaces_a_document_with_the_same_id(index):
    index.upsert([Document(id="1", fields={"title": "居住证办理", "body": ""})])
    assert index.search("公积金").total == 0
    assert ids(index.search("居住证")) == ["1"]
    assert index.count() == 3


def test_it_deletes_documents(index):
    index.delete(["1", "does-not-exist"])
    assert index.search("公积金").total == 0
    assert index.count() == 2


def test_filters_or_within_a_key_and_across_keys(index):
    everything = {"audience": ["public", "org:12"]}
    assert sorted(ids(index.search("", filters=everything))) == ["1", "2", "3"]
    assert sorted(ids(index.search("", filters={"audience": ["public"]}))) == ["1", "3"]
    both = {"audience": ["public", "org:12"], "unit": "7", "year": ["2023"]}
    assert ids(index.search("", filters=both)) == ["3"]
    assert index.search("", filters={"audience": []}).total == 0
    assert index.search("供暖", filters={"audience": ["public"]}).total == 0


def test_an_unknown_filter_is_an_error(index):
    with pytest.raises(ValueError):
        index.search("公积金", filters={"colour": "red"})
    with pytest.raises(ValueError):
        index.upsert([Document(id="5", fields={"summary": "x"})])


def test_pagination(index):
    index.upsert(
        Document(id=f"p{i}", fields={"title": f"公积金问题{i}", "body": ""})
        for i in range(15)
    )
    first = index.search("公积金", limit=10)
    second = index.search("公积金", limit=10, offset=10)
    assert first.total == second.total == 16
    assert len(first.hits) == 10 and len(second.hits) == 6
    assert not set(ids(first)) & set(ids(second))


def test_a_limit_of_zero_counts_without_listing(index):
    results = index.search("公积金", limit=0)
    assert (results.total, results.hits) == (1, [])


def test_the_same_query_twice_gives_the_same_answer(index):
    first, second = index.search("gongjijin"), index.search("gongjijin")
    assert ids(first) == ids(second) == ["1"]
    assert first.suggestion == second.suggestion == "公积金"
    assert (
        index.search("公鸡金提取").hits[0].snippets["title"]
        == (index.search("公鸡金提取").hits[0].snippets["title"])
    )


def test_title_weighs_more_than_body(index):
    index.upsert(
        [
            Document(
                id="a", fields={"title": "养老服务补贴", "body": "申请条件和材料。"}
            ),
            Document(
                id="b", fields={"title": "申请条件", "body": "养老服务补贴的发放。"}
            ),
        ]
    )
    assert ids(index.search("养老服务补贴"))[:2] == ["a", "b"]


def test_government_terms_are_segmented_whole(index):
    from dangjian.search.analysis import segment

    tokens = segment("住房公积金提取需要什么材料")
    assert {"住房", "公积金", "提取", "材料"} <= set(tokens)
    assert {"住房公积金", "公积金"} <= set(segment("住房公积金"))
    assert "什么" not in tokens  # stop words carry no meaning
    assert "非京籍" in segment("非京籍购车")


def test_synonyms_apply_at_query_time(index):
    def score() -> float:
        # Without the synonym, only the character 暖 (of 供暖) finds it.
        hits = index.search("暖气").hits
        assert [h.id for h in hits] == ["2"]
        return hits[0].score

    Synonym.objects.filter(terms__contains="暖气").delete()
    alone = score()
    Synonym.objects.create(terms="暖气/供暖/采暖")
    assert score() > 1.5 * alone
    Synonym.objects.filter(terms="暖气/供暖/采暖").update(enabled=False)
    Synonym.objects.get(terms="暖气/供暖/采暖").save()  # the admin saves, signals fire
    assert score() == alone


def test_remembered_results_follow_every_change_of_the_index(index):
    first = index.search("供暖", filters={"unit": ["8"]})
    # The same search again is answered from the result cache...
    assert index.search("供暖", filters={"unit": ["8"]}) is first
    assert index.search("供暖", filters={"unit": ["7"]}) is not first
    # ...until the index changes: a new document, a removed one.
    index.upsert(
        [Document(id="4", fields={"title": "供暖费缴纳"}, filters={"unit": "8"})]
    )
    assert sorted(ids(index.search("供暖", filters={"unit": ["8"]}))) == ["2", "4"]
    index.delete(["2"])
    assert ids(index.search("供暖", filters={"unit": ["8"]})) == ["4"]


def test_the_result_cache_can_be_turned_off(index, settings):
    settings.SEARCH_RESULT_CACHE = 0
    assert index.search("供暖") is not index.search("供暖")
    assert ids(index.search("供暖")) == ["2"]


def test_seeded_synonyms_cover_common_pairs(index):
    assert ids(index.search("社保")) == ["3"]


def test_full_pinyin_and_initials_find_chinese(index):
    assert ids(index.search("gongjijin")) == ["1"]
    assert ids(index.search("gjj")) == ["1"]
    assert ids(index.search("gongjijintiqu"))[0] == "1"
    result = index.search("gongjijin")
    assert "<mark>公积金</mark>" in result.hits[0].snippets["title"]
    assert result.suggestion == "公积金"


def test_a_homophone_typo_still_finds_the_entry(index):
    result = index.search("公鸡金提取")
    assert ids(result)[0] == "1"
    assert "<mark>公积金</mark>" in result.hits[0].snippets["title"]


def test_a_wrong_character_gets_a_did_you_mean(index):
    result = index.search("社会保验")
    assert ids(result)[0] == "3"
    assert result.suggestion == "社会保险"
    assert index.search("公积金").suggestion is None


def test_punctuation_only_finds_nothing(index):
    assert index.search("？？！").total == 0
    assert index.search("x" * 10_000).total == 0


def test_rebuild_replaces_everything(index):
    index.upsert([Document(id="stale", fields={"title": "过期内容"})])
    assert index.rebuild() == 3
    assert index.search("过期").total == 0
    index.clear()
    assert index.count() == 0
    call_command("search_rebuild", "test_docs", verbosity=0)
    assert index.count() == 3


def test_writes_on_commit_follow_the_transaction(
    index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        index.upsert_on_commit([Document(id="c", fields={"title": "居住证签注"})])
        index.delete_on_commit(["1"])
    assert ids(index.search("居住证")) == ["c"]
    assert index.search("公积金").total == 0

    with pytest.raises(RuntimeError):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                index.upsert_on_commit([Document(id="r", fields={"title": "护照办理"})])
                raise RuntimeError("rolled back")
    assert index.search("护照").total == 0


def test_isolation_first_writes(index):
    index.upsert([Document(id="leak", fields={"title": "泄漏检查专用词"})])
    assert index.search("泄漏检查专用词").total == 1


def test_isolation_second_sees_nothing_of_the_first(index):
    assert index.search("泄漏检查专用词").total == 0


def test_snippets_do_not_mark_a_lone_character_beside_longer_words(index):
    # 去 is a word of the query, but marked it would light up every 去 of an
    # answer and pull the snippet's window to them.
    index.upsert(
        [
            Document(
                id="d",
                fields={
                    "title": "异地就医备案",
                    "body": "去年起，参保人去外地就医前可在网上办理备案。",
                },
            )
        ]
    )
    hit = next(h for h in index.search("去外地看病备案").hits if h.id == "d")
    assert hit.snippets["title"] == "异地就医<mark>备案</mark>"
    body = hit.snippets["body"]
    assert "<mark>去</mark>" not in body
    assert "<mark>外地</mark>" in body and "<mark>备案</mark>" in body
    # A search for one character still marks it.
    alone = next(h for h in index.search("医").hits if h.id == "d")
    assert alone.snippets["title"] == "异地就<mark>医</mark>备案"
