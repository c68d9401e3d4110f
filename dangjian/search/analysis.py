"""Chinese text analysis shared by indexing and querying.

Segmentation is rjieba (jieba's dictionary and algorithm in Rust, about ten
times faster) in search mode, so that both a long word and its parts are
tokens: 住房公积金 gives 住房 / 公积 / 公积金 / 住房公积金. A user dictionary of
government terms (dicts/gov_terms.txt) is loaded into it at start-up.

Query-time helpers add what indexing cannot: synonyms from the admin-edited
`Synonym` table, pinyin input (full pinyin and initials) and homophone typos,
matched against a pinyin field built from the words of the heavy fields.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import rjieba
from django.apps import apps
from pypinyin import lazy_pinyin

DICT_DIR = Path(__file__).resolve().parent / "dicts"

_jieba = rjieba.Jieba()
_jieba_lock = threading.Lock()
_user_words_loaded = False

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]", re.UNICODE)
_LATIN_RUN = re.compile(r"[a-z]+")
_ASCII_ALNUM = re.compile(r"[a-z0-9]+")


def _load_user_words() -> None:
    global _user_words_loaded
    if _user_words_loaded:
        return
    with _jieba_lock:
        if _user_words_loaded:
            return
        for path in sorted(DICT_DIR.glob("*.txt")):
            if path.name.startswith("stopwords"):
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                _jieba.add_word(parts[0], freq, None)
        _user_words_loaded = True


def add_words(words: Iterable[str]) -> None:
    """Adds words to the segmentation dictionary of this process.

    Used for synonym terms so that a multi-character synonym is one token on
    both sides; words already in the dictionary are left as they are.
    """
    _load_user_words()
    with _jieba_lock:
        for word in words:
            if word and not _jieba.has_word(word):
                _jieba.add_word(word, None, None)


@functools.cache
def question_phrases() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The question scaffolding of `dicts/questions.txt`: a pattern finding
    its phrases (longest first) and each phrase's intent."""
    intents: dict[str, str] = {}
    path = DICT_DIR / "questions.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            intents[normalize(parts[0])] = parts[1]
    if not intents:
        return None, intents
    phrases = sorted(intents, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases)), intents


# What an intent looks for in a title, as weak terms: an entry that says
# how (如何办理) answers 咋办 a little better than one that says what.
INTENT_WORDS: dict[str, tuple[str, ...]] = {
    "how": ("如何", "怎么", "办理"),
    "where": ("哪里", "地址", "地点", "网站"),
    "who": ("部门", "哪个", "负责"),
    "cost": ("多少", "费用", "收费", "标准"),
    "can": ("是否", "可以", "能否"),
    "when": ("时间", "多久", "何时", "期限", "几天"),
    "why": ("为什么", "原因"),
    "what": ("什么", "定义"),
}


def take_questions(text: str) -> tuple[str, list[str]]:
    """The text with its question scaffolding replaced by spaces, and the
    intents found (in order, once each)."""
    pattern, intents = question_phrases()
    if pattern is None:
        return text, []
    found: dict[str, None] = {}

    def cut(match: re.Match[str]) -> str:
        found.setdefault(intents[match.group(0)], None)
        return " "

    return pattern.sub(cut, text), [i for i in found if i in INTENT_WORDS]


@functools.cache
def stopwords() -> frozenset[str]:
    path = DICT_DIR / "stopwords.txt"
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


# Traditional characters common in citizens' input, mapped to simplified:
# the table used when the optional `opencc` package is not installed.
_T2S = str.maketrans(
    "車門問開關會國學說時間從來對現實體動員頭張報紙區與電話號網費稅務辦證醫療險"
    "購買賣養老積與廳處長業廠貸還證擔當歲單據縣鄉鎮機構條規劃資訊補貼優惠權屬產戶籍遷"
    "應聯絡區廣場鐵陽灣漢風層壓發計劃認職標準驗檢測難顧護勞傷殘障礙婦嬰兒幣價並"
    "後裡臺灣無氣熱暖燈線圖書館",
    "车门问开关会国学说时间从来对现实体动员头张报纸区与电话号网费税务办证医疗险"
    "购买卖养老积与厅处长业厂贷还证担当岁单据县乡镇机构条规划资讯补贴优惠权属产户籍迁"
    "应联络区广场铁阳湾汉风层压发计划认职标准验检测难顾护劳伤残障碍妇婴儿币价并"
    "后里台湾无气热暖灯线图书馆",
)


_NON_WORD = re.compile(r"[^\w\u3400-\u4dbf\u4e00-\u9fff]+")


# Full-width ASCII (Ａ１，) to half-width, ideographic space to space: the
# part of NFKC that matters for search, as one table (NFKC itself is slow).
_T2S.update({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
_T2S[0x3000] = 0x20


@functools.cache
def _fold_table() -> dict[int, int]:
    """The translation table of `normalize`: the built-in one, widened by OpenCC.

    When the `opencc` package is installed, every traditional character it
    converts to one simplified character is added (about 3,500), read once
    by converting the whole CJK block in one call. Character for character,
    so text keeps its length and highlight offsets stay right; OpenCC's
    phrase rules are not needed for matching, which folds both sides alike.
    """
    table = dict(_T2S)
    try:
        import opencc
    except ImportError:
        return table
    chars = [chr(cp) for cp in range(0x4E00, 0xA000)]
    try:
        converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    except Exception:  # A broken install must not stop search.
        return table
    if len(converted) == len(chars):
        for before, after in zip(chars, converted, strict=True):
            if after != before and len(after) == 1:
                table.setdefault(ord(before), ord(after))
    return table


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, traditional to simplified."""
    if not text:
        return ""
    return text.translate(_fold_table()).lower()


@functools.cache
def _folds_a_word_char() -> re.Pattern[str]:
    """A pattern for the characters other than capitals that `normalize`
    changes and that can be part of a word: traditional characters and
    full-width letters and digits. (Full-width punctuation, which every
    Chinese text holds, is left out: no word holds it.)"""
    chars = sorted(
        chr(cp)
        for cp, to in _fold_table().items()
        if cp != to and (_WORD.match(chr(cp)) or _WORD.match(chr(to)))
    )
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def match_text(text: str) -> str:
    """`text` as words are matched in it: normalized where that matters.

    Same length as `text`, so offsets found in it mark the original. Most
    text needs at most lower-casing: a scan for the few characters that
    fold otherwise costs a tenth of folding every character.
    """
    if _folds_a_word_char().search(text):
        folded = normalize(text)
        if len(folded) == len(text):
            return folded
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def index_text(text: str, *, hmm: bool = True) -> str:
    """A document field as space-separated tokens, for the whitespace tokenizer.

    The fast path of `segment`: punctuation becomes spaces before jieba
    runs, and stop words are left in (they score nothing against queries,
    which drop them).
    """
    _load_user_words()
    cleaned = _NON_WORD.sub(" ", normalize(text))
    if not cleaned.strip():
        return ""
    return " ".join(_jieba.cut_for_search(cleaned, hmm))


def _is_word(token: str) -> bool:
    return bool(_WORD.search(token))


def segment(text: str, *, drop_stopwords: bool = True, hmm: bool = True) -> list[str]:
    """Tokens of a text in jieba search mode, normalized, punctuation dropped."""
    tokens = index_text(text, hmm=hmm).split()
    if drop_stopwords:
        stop = stopwords()
        return [t for t in tokens if t not in stop]
    return tokens


def words(text: str) -> list[str]:
    """Words of a text in jieba's precise mode (no overlapping sub-words)."""
    _load_user_words()
    text = normalize(text)
    return [t for t in (tok.strip() for tok in _jieba.cut(text)) if t and _is_word(t)]


def is_cjk(word: str) -> bool:
    return bool(word) and all(_CJK.match(ch) for ch in word)


@functools.lru_cache(maxsize=200_000)
def word_pinyin(word: str) -> tuple[str, str]:
    """Full pinyin without tones, and initials: 公积金 → ("gongjijin", "gjj")."""
    syllables = lazy_pinyin(word, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


def heavy_words(text: str) -> list[str]:
    """The words of a text that are indexed by sound: search-mode words of
    two or more Chinese characters, once each."""
    return [
        w for w in dict.fromkeys(index_text(text).split()) if len(w) >= 2 and is_cjk(w)
    ]


def pinyin_tokens(text: str) -> list[str]:
    """The pinyin-field tokens of a text: full pinyin and initials of each word.

    Search-mode words, so 公积金提取 also yields 公积金 and 提取. Only words of two
    or more Chinese characters: single characters have too many homophones to
    be worth matching by sound.
    """
    out: list[str] = []
    for word in dict.fromkeys(index_text(text).split()):
        if len(word) >= 2 and is_cjk(word):
            full, initials = word_pinyin(word)
            if full:
                out.append(full)
                out.append("~" + initials)
    return out


@functools.cache
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, read from pypinyin's own dictionary."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    # The dictionary has some 40,000 characters but only about 1,500
    # distinct toned readings: converting each reading once takes a few
    # milliseconds instead of over a second on the first pinyin query.
    readings = {r for value in pinyin_dict.values() for r in value.split(",")}
    found = set()
    for reading in readings:
        normal = to_normal(reading).replace("ü", "v")
        if normal.isascii() and normal.isalpha():
            found.add(normal)
    return frozenset(found)


def split_pinyin(text: str) -> list[str] | None:
    """Splits run-together pinyin into syllables, or None if it is not pinyin.

    Prefers the split with the fewest syllables (xian → xian, not xi'an).
    """
    sylls = _syllables()
    n = len(text)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        prefix = best[i]
        if prefix is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = text[i:j]
            if piece in sylls:
                candidate = prefix + [piece]
                current = best[j]
                if current is None or len(candidate) < len(current):
                    best[j] = candidate
    return best[n]


def _spans(items: list[str], shortest: int, longest: int) -> list[str]:
    out = []
    for size in range(shortest, longest + 1):
        for i in range(0, len(items) - size + 1):
            out.append("".join(items[i : i + size]))
    return out


def content_pairs(runs: list[list[str]]) -> list[str]:
    """Adjacent character pairs of the Chinese typed, stop words left out.

    `runs` are the precise-mode words of each stretch of Chinese. Pairs let
    a word match however jieba cut it: alone, 上牌 is 上 / 牌 but inside a
    sentence 上牌; 准驾车型 is 准 / 驾车 / 型 and its pairs 准驾, 车型 still find
    the documents. Stop words are removed first so that no pair straddles
    哪些 or 需要 (which would match every question-shaped title), and no
    pair crosses a space or punctuation.
    """
    stop = stopwords()
    pairs: dict[str, None] = {}
    for pieces in runs:
        run = ""
        for word in [*pieces, ""]:
            if word and word not in stop:
                run += word
                continue
            for i in range(len(run) - 1):
                pairs.setdefault(run[i : i + 2], None)
            run = ""
    return list(pairs)


def content_words(runs: list[list[str]]) -> list[str]:
    """The Chinese words typed (precise mode), stop words left out, once each."""
    stop = stopwords()
    found: dict[str, None] = {}
    for pieces in runs:
        for word in pieces:
            if word not in stop and is_cjk(word):
                found.setdefault(word, None)
    return list(found)


@dataclass
class AnalyzedQuery:
    """What the engine looks for, per kind of match.

    `groups`: one list per query concept; the first item is the token typed,
    the others its synonyms' tokens. `pinyin`: tokens for the pinyin field
    (from Latin input). `latin`: the Latin runs that were read as pinyin.
    `sound`: the sound terms the engine searches for; empty until the engine
    decides a query needs them and sets them from `sounds()`.
    """

    text: str
    groups: list[list[str]] = field(default_factory=list)
    pinyin: list[str] = field(default_factory=list)
    sound: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)
    # Adjacent character pairs of the Chinese typed: they match a word even
    # when jieba cuts it differently in the query than in the document
    # (上牌 alone is 上/牌, inside a sentence 上牌).
    pairs: list[str] = field(default_factory=list)
    # The precise-mode words of each stretch of Chinese typed.
    runs: list[list[str]] = field(default_factory=list, repr=False)
    # Per group, its thesaurus alternatives (`thesaurus.related`): candidates
    # the engine keeps when the index holds them, weighted lowest.
    related: list[tuple[str, ...]] = field(default_factory=list)
    # What kind of answer the question asks for (how, where, who, cost, can,
    # when, why, what), read from its scaffolding (怎么办, 去哪, 找谁 …),
    # which is not searched as content.
    intent: list[str] = field(default_factory=list)
    # The Chinese words typed (stop words and scaffolding left out): those
    # the heavy fields do not hold are matched character by character, so
    # that an everyday word sharing a character with the official one (取出
    # and 提取, 驾照 and 驾驶证) still counts for something.
    content: list[str] = field(default_factory=list)
    _sounds: list[str] | None = field(default=None, repr=False, compare=False)

    def sounds(self) -> list[str]:
        """The sound of the Chinese typed, word by word and across adjacent
        words (a typo often splits a word: 公鸡金 → 公鸡 / 金), up to four
        characters; a homophone typo still finds its word by it.

        Worked out on first use: pinyin is slow to compute, and only queries
        with a word no document holds (or pinyin input) need it.
        """
        if self._sounds is None:
            found: dict[str, None] = {}
            for pieces in self.runs:
                for i in range(len(pieces)):
                    joined = ""
                    for piece in pieces[i : i + 3]:
                        joined += piece
                        if len(joined) > 4:
                            break
                        if len(joined) >= 2 and is_cjk(joined):
                            full, _ = word_pinyin(joined)
                            if full:
                                found.setdefault(full, None)
            self._sounds = list(found)
        return self._sounds

    @property
    def terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for group in self.groups:
            for term in group:
                seen.setdefault(term, None)
        return list(seen)


# Whether a query's unknown stretches are joined into new words by jieba's
# HMM, as a document's are. Citizens' phrasing is full of single characters
# (能办, 要考, 上乱) that it joins into words no document holds.
QUERY_HMM = True


def analyze_query(
    text: str, synonyms: dict[str, list[str]] | None = None
) -> AnalyzedQuery:
    """Turns what a person typed into the terms to look for.

    1. Normalize (width, case, traditional characters).
    2. Segment in search mode; each token becomes a group with its synonyms.
    3. Latin runs that split into pinyin syllables (gongjijin) or look like
       initials (gjj) become pinyin-field terms instead of text terms.
    4. The sound of the Chinese part, word by word and across adjacent
       characters, becomes low-weight pinyin terms, so that a homophone typo
       (公鸡金 for 公积金) still finds its word.
    """
    synonyms = synonyms or {}
    norm = normalize(text).strip()
    query = AnalyzedQuery(text=norm)
    if not norm:
        return query

    latin_runs = _LATIN_RUN.findall(norm)
    for run in latin_runs:
        sylls = split_pinyin(run)
        if sylls and len(sylls) >= 2:
            query.latin.append(run)
            query.pinyin.append(run)
            if len(sylls) > 2:
                query.pinyin.extend(_spans(sylls, 2, 4))
        elif sylls is None and 2 <= len(run) <= 8:
            # Not pinyin syllables: read it as initials (gjj, sb, ybbx).
            query.latin.append(run)
            query.pinyin.append("~" + run)
            if len(run) > 2:
                query.pinyin.extend("~" + s for s in _spans(list(run), 2, 4))

    chinese_and_other = norm
    for run in query.latin:
        chinese_and_other = chinese_and_other.replace(run, " ")
    chinese_and_other, query.intent = take_questions(chinese_and_other)
    seen: set[str] = set()
    # A Latin run read as pinyin may also be a word of the text itself (an
    # abbreviation such as QFLP or APP): it stays a text term as well.
    for run in query.latin:
        if run not in seen:
            seen.add(run)
            query.groups.append([run])
            query.related.append(())
    from dangjian.search import thesaurus

    for token in segment(chinese_and_other, hmm=QUERY_HMM):
        if token in seen:
            continue
        seen.add(token)
        group = [token]
        for alt in synonyms.get(token, []):
            for alt_token in [alt, *segment(alt)]:
                if alt_token not in group:
                    group.append(alt_token)
        query.groups.append(group)
        # The admin's synonyms stand above the thesaurus: a word they cover
        # is not expanded from it.
        query.related.append(() if len(group) > 1 else thesaurus.related(token))

    # The sound (step 4) is read from these runs by `sounds()` when needed.
    query.runs = [words(run) for run in _CJK_RUN.findall(chinese_and_other)]
    query.pinyin = list(dict.fromkeys(query.pinyin))
    query.pairs = content_pairs(query.runs)
    query.content = content_words(query.runs)
    return query


class _AnalysisCache:
    """The synonym table the cached analyses were made with, and the analyses
    by text: one attribute, replaced whole, so threads see a matching pair."""

    def __init__(self) -> None:
        self.state: tuple[dict[str, list[str]] | None, dict[str, AnalyzedQuery]] = (
            None,
            {},
        )


_analysis_cache = _AnalysisCache()
ANALYSIS_CACHE_SIZE = 4096


def analyze_query_cached(text: str, synonyms: dict[str, list[str]]) -> AnalyzedQuery:
    """`analyze_query`, remembered per text for the current synonym table.

    Citizens and operators ask the same questions over and over, and the
    console searches on every keystroke; segmentation, pinyin and synonym
    expansion of a query depend only on its text and the synonym table, so
    a new table (another dict object) starts a new cache. The result is
    shared between threads: callers must not change it.
    """
    cached_for, items = _analysis_cache.state
    if cached_for is not synonyms:
        items = {}
        _analysis_cache.state = (synonyms, items)
    found = items.get(text)
    if found is None:
        found = analyze_query(text, synonyms)
        if len(items) >= ANALYSIS_CACHE_SIZE:
            items.clear()
        items[text] = found
    return found


# --- synonyms -------------------------------------------------------------

_syn_lock = threading.Lock()


@dataclass
class _SynonymCache:
    map: dict[str, list[str]] | None = None
    # The shared cache's version the map was read at (any value it holds).
    version: object = None
    # When the version was last looked at (time.monotonic()).
    checked: float = 0.0


_syn_cache = _SynonymCache()
SYNONYM_VERSION_KEY = "dangjian:search:synonyms:version"


def parse_synonym_terms(raw: str) -> list[str]:
    """Splits a synonym group as typed by an admin: 暖气/供暖、采暖, 取暖."""
    parts = re.split(r"[\s/,，、;；|]+", raw or "")
    seen: dict[str, None] = {}
    for part in parts:
        part = normalize(part).strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def build_synonym_map(groups: Iterable[list[str]]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for terms in groups:
        for term in terms:
            others = [t for t in terms if t != term]
            bucket = mapping.setdefault(term, [])
            for other in others:
                if other not in bucket:
                    bucket.append(other)
    return mapping


def synonym_map() -> dict[str, list[str]]:
    """The synonym table of the database, cached per process.

    A change in the admin bumps a version in the shared cache; each process
    looks at that version at most once a second, so an edit reaches every
    worker within a second without a database query per search.
    """
    from django.core.cache import cache

    now = time.monotonic()
    cached = _syn_cache.map
    if cached is not None and now - _syn_cache.checked < 1.0:
        return cached
    try:
        version = cache.get(SYNONYM_VERSION_KEY)
    except Exception:  # A cache outage must not stop search.
        version = None
    with _syn_lock:
        _syn_cache.checked = now
        if cached is not None and version == _syn_cache.version:
            return cached
        # Looked up in the registry: models.py parses its terms with this module.
        synonyms = apps.get_model("search", "Synonym")
        groups = [
            parse_synonym_terms(raw)
            for raw in synonyms.objects.enabled().values_list("terms", flat=True)
        ]
        mapping = build_synonym_map(groups)
        add_words(term for terms in groups for term in terms if is_cjk(term))
        _syn_cache.map, _syn_cache.version = mapping, version
        return mapping


def invalidate_synonyms() -> None:
    """Makes every process reload the synonym table (called after an edit)."""
    from django.core.cache import cache

    with _syn_lock:
        _syn_cache.map, _syn_cache.checked = None, 0.0
    try:
        cache.set(SYNONYM_VERSION_KEY, time.time_ns(), None)
    except Exception:
        pass
