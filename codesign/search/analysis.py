"""How text in each language is cut into searchable terms.

Every text is analyzed in its own language: English, Spanish, Russian and Arabic are stemmed
(so "correr" finds "corriendo"), Chinese, Japanese and Korean are cut into single characters and
pairs of characters (they are written without spaces), and other languages (Vietnamese, Somali,
Haitian Creole, Tagalog, ...) are matched word for word. A query does not say its language, so
each word of it is tried in every analysis and matches wherever one fits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import (
    CharsetFilter,
    LanguageAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    Token,
    Tokenizer,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

STEMMED = ("en", "es", "ru", "ar")
CJK = ("zh", "ko", "ja")
FOLDED = ("en", "es", "so", "ht", "tl")  # accents optional when typing these (not Vietnamese)
# One index field per analysis; a document's text goes into the one for its language.
FIELDS = ("en", "es", "ru", "ar", "cjk", "vi", "other")
POSTGRES_CONFIGS = {"en": "english", "es": "spanish", "ru": "russian", "ar": "arabic"}

QUERY_MAX = 200  # characters of a query that are used
WORDS_MAX = 12
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A run of CJK characters, or a word in any other script.
_PIECE = re.compile(f"[{_CJK}]+|[^\\W{_CJK}]+")
# Bidirectional overrides, zero-width characters and other invisible formatting.
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def field_for(language: str) -> str:
    code = (language or "").split("-")[0].split("_")[0].lower()
    if code in STEMMED:
        return code
    if code in CJK:
        return "cjk"
    if code == "vi":
        return "vi"
    return "other"


def cjk_terms(run: str) -> list[tuple[int, str]]:
    """Each character of a CJK run, and each overlapping pair, with its offset."""
    return [(i, run[i]) for i in range(len(run))] + [(i, run[i:i + 2]) for i in range(len(run) - 1)]


class CJKTokenizer(Tokenizer):
    """Words of other scripts as they are; runs of Han, Kana or Hangul as single characters
    and overlapping pairs of characters, so any word of the text can be found."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for match in _PIECE.finditer(value):
            run = match.group()
            pieces = cjk_terms(run) if _CJK_RUN.match(run) else [(0, run)]
            for offset, text in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = position
                    position += 1
                if chars:
                    token.startchar = start_char + match.start() + offset
                    token.endchar = token.startchar + len(text)
                yield token


@cache
def analyzer(field: str):
    """The whoosh analyzer of one index field."""
    if field in STEMMED:
        chain = LanguageAnalyzer(field)
        return chain | CharsetFilter(accent_map) if field in FOLDED else chain
    if field == "cjk":
        return CJKTokenizer() | LowercaseFilter()
    if field == "vi":
        return RegexTokenizer() | LowercaseFilter()
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def terms(field: str, text: str) -> list[str]:
    return [token.text for token in analyzer(field)(text)]


@cache
def stopwords() -> frozenset[str]:
    """Words too common to search for in English, Spanish or Russian."""
    words: set[str] = set()
    for language in ("en", "es", "ru"):
        words |= {w.lower() for w in stopwords_for_language(language)}
    return frozenset(words)


def fold(text: str) -> str:
    """Remove accents (for languages where people often type without them)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Spanish stemming relies on accents that phones often leave out: try the usual ones too.
_SPANISH_ACCENTS = ((re.compile(r"([cs])ion$"), r"\1ión"), (re.compile(r"([cs])iones$"), r"\1iones"))


def variants(word: str) -> list[str]:
    """The word as typed, and with the accents Spanish endings usually carry."""
    found = [word]
    for pattern, replacement in _SPANISH_ACCENTS:
        if pattern.search(word):
            found.append(pattern.sub(replacement, word))
    return found


@dataclass
class WordTerms:
    """What one query word matches: any of `alternatives` in their field, or, for a word in
    Chinese, Japanese or Korean, all of `cjk_pairs` in the CJK field."""

    alternatives: dict[str, list[str]]
    cjk_pairs: list[str]


@dataclass
class ParsedQuery:
    words: list[str]  # the words searched for, in order
    truncated: bool  # the query was longer than we use

    @property
    def all_words(self) -> bool:
        """Short queries need every word; longer ones (questions) rank by how many match."""
        return len(self.words) <= 2

    def word_terms(self) -> list[WordTerms]:
        result = []
        for word in self.words:
            if _CJK_RUN.fullmatch(word):
                pairs = [text for _offset, text in cjk_terms(word) if len(text) == 2] or [word]
                result.append(WordTerms({}, pairs))
                continue
            alternatives = {}
            for field in FIELDS:
                found = [term for form in variants(word) for term in terms(field, form)[:1]]
                if found:
                    alternatives[field] = list(dict.fromkeys(found))
            result.append(WordTerms(alternatives, []))
        return result


def parse_query(raw: str | None) -> ParsedQuery:
    """The words of a query, whatever was typed: search syntax (AND, *, quotes, brackets), SQL,
    markup and invisible characters are plain text here; very long queries are cut."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", raw or ""))
    truncated = len(text) > QUERY_MAX
    words = list(dict.fromkeys(piece.lower() for piece in _PIECE.findall(text[:QUERY_MAX])))
    words = [w for w in words if w.strip("_") and w not in stopwords()]
    return ParsedQuery(words[:WORDS_MAX], truncated)


def highlight_spans(text: str, language: str, query: ParsedQuery) -> list[tuple[int, int]]:
    """Where in `text` (analyzed in its language) the query's words occur: (start, end) pairs."""
    field = field_for(language)
    wanted: set[str] = set()
    for word in query.word_terms():
        wanted.update(word.alternatives.get(field, []))
        if field == "cjk":
            wanted.update(word.cjk_pairs)
    if not wanted:
        return []
    return [(token.startchar, token.endchar)
            for token in analyzer(field)(text, chars=True, removestops=False, mode="index")
            if token.text in wanted]
