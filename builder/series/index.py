"""Index terms: the book.yaml glossary plus Latin-script names found in Chinese prose, with pinyin sort keys."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from builder.model.book import Book
from builder.model.content import ListBlock, Paragraph, Text
from builder.text.pinyin import syllables
from builder.text.typography import HAN_RE

STOPWORDS_FILE = "index-stopwords.txt"  # in the book's styles/: generic English words, one a line

LETTER = r"A-Za-z\u00C0-\u024F"  # accented Latin too, so Réjean is not read as `jean`


# Where a name may start and end: not inside a word, a file name or a module path (Node.js, keras/engine).
BEFORE = rf"(?<![{LETTER}0-9'’./-])"

AFTER = rf"(?![{LETTER}0-9]|[./][A-Za-z])"


# A Latin name, possibly hyphenated or several capitalised words long ("Batch Size", "Fokker-Planck").
LATIN_TERM_RE = re.compile(
    BEFORE + r"([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*"
    r"(?: [A-Z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*)*)" + AFTER
)

CITED_RE = re.compile(r"《[^》]*》")

TEX_COMMAND_RE = re.compile(r"\\[A-Za-z]+")  # `\cdot` outside a formula is TeX source, not a word

CHAR_OR_RUN_RE = re.compile(r"[\u4e00-\u9fff]|[^\u4e00-\u9fff]+")  # one syllable per character, Latin as is


# Text that reached a paragraph but is no prose: table rows and code the scrape left among the paragraphs.
NOT_PROSE = tuple(re.compile(p) for p in (
    r"\t",                                  # a scraped table keeps its cells apart with tabs
    r"^\s*\|.*\|\s*$|(?:\s\|\s.*){2}",      # a Markdown table row
    r"^\s*[A-Za-z_][A-Za-z0-9_.]*\(.*\)\s*;?\s*$",  # a call alone on its line: model.score('微 信', bos=False)
    # (a literal list [u'CEO', …] needs no rule: a word right after a quote is never a term)
    r"^\s*(?:if|for|while|def|return|import|from|print)\b.*[:)]\s*$",
))

MAKEINDEX_QUOTE = re.compile(r'([!@|"])')


@dataclass(frozen=True)
class Term:
    text: str
    """The spelling printed in the index: the most frequent one."""
    sort_key: str
    variants: tuple[str, ...] = ()
    """Every spelling marked in the text (case variants of `text`); empty means `text` alone."""

    def entry(self, display_tex: str) -> str:
        """The \\index argument: `sortkey@display`, makeindex specials quoted."""
        quote = lambda s: MAKEINDEX_QUOTE.sub(r'"\1', s)  # noqa: E731
        return f"{quote(self.sort_key)}@{quote(display_tex)}"


_stopword_cache: dict[Path, tuple[tuple[int, int], frozenset[str]]] = {}


def load_stopwords(styles: Path) -> frozenset[str]:
    """The book's stop list (styles/index-stopwords.txt, lower-cased; `#` starts a comment), read once per
    version of the file; a book without the file has none."""
    path = styles / STOPWORDS_FILE
    try:
        stat = path.stat()
    except OSError:
        return frozenset()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _stopword_cache.get(path)
    if cached and cached[0] == version:
        return cached[1]
    words = frozenset(w for line in path.read_text(encoding="utf-8").splitlines()
                      for w in [line.split("#", 1)[0].strip().lower()] if w)
    _stopword_cache[path] = (version, words)
    return words


def sort_key(term: str, readings: Optional[Mapping[str, str]] = None) -> str:
    """Pinyin with tone numbers for Chinese (so 梯度 sorts under T), lower case for Latin. `readings`
    (book.yaml index_pinyin, checked there) fix the reading of a term, or of the start of a term, that
    pypinyin gets wrong (重参数 is chong2, not zhong4); the longest key the term starts with applies."""
    if not HAN_RE.search(term):
        return term.lower()
    table = readings or {}
    fixed = max((k for k in table if term.startswith(k)), key=len, default="")
    head: list[str] = []
    if fixed:
        reading = iter(table[fixed].split())
        head = [next(reading) if HAN_RE.match(piece) else piece for piece in CHAR_OR_RUN_RE.findall(fixed)]
    rest = syllables(term[len(fixed):], tones=True) if term[len(fixed):] else []
    return " ".join(head + rest).lower()


def prose(text: str) -> bool:
    """Whether a piece of a paragraph is Chinese prose that gives and receives index terms: it has Chinese
    in it and is no table row or code line (the blog's English is quotes, references and code)."""
    return bool(HAN_RE.search(text)) and not any(p.search(text) for p in NOT_PROSE)


def _prose(book: Book) -> Iterable[str]:
    for chapter in book.chapters():
        for block in chapter.post.blocks:
            if isinstance(block, Paragraph):
                pieces = [i.text for i in block.inlines if isinstance(i, Text)]
            elif isinstance(block, ListBlock):
                pieces = [i.text for item in block.items for i in item if isinstance(i, Text)]
            else:  # headings are not marked (they go to the contents); code and formulas are no prose
                continue
            yield from (p for p in pieces if prose(p))


def _trim(words: list[str], stop: frozenset[str]) -> list[str]:
    """A run of words without the glue at either end: lower-case stop words (`is None`, `in NLP`) and
    single letters (variables: `A B`, `s` of `Mover's`)."""
    def glue(w: str) -> bool:
        return len(w) == 1 or (w.islower() and w in stop)
    while words and glue(words[0]):
        words = words[1:]
    while words and glue(words[-1]):
        words = words[:-1]
    return words


def candidates(text: str, stop: frozenset[str]) -> Iterable[str]:
    """Latin words and runs of capitalised words in prose, trimmed; 《cited titles》 and TeX commands skipped."""
    for run in LATIN_TERM_RE.findall(TEX_COMMAND_RE.sub(" ", CITED_RE.sub(" ", text))):
        words = _trim(run.split(" "), stop)
        if words:
            yield " ".join(words)


def _worth_indexing(spellings: Counter[str], stop: frozenset[str]) -> bool:
    """A name, not a word: capitalised somewhere, not on the stop list (nor every word of a run), and two
    letters only if an acronym (`KL`, `T5`; not `Hi`)."""
    capitalised = [s for s in spellings if not s.islower()]
    if not capitalised:
        return False
    key = capitalised[0].lower()
    if key in stop or all(w in stop for w in key.split(" ")):
        return False
    return len(key) > 2 or any(s.isupper() for s in capitalised)


def _fold(spellings: Counter[str], readings: Optional[Mapping[str, str]]) -> Term:
    """One term for the case variants of a name, printed in its most frequent capitalised spelling (on a
    tie the one with a capital first, then with more capitals: RMSProp, HTML; then the first seen).
    Lower-case spellings are marked too (softmax), except of an acronym: in lower case that is usually
    another word (nice, js)."""
    capitalised = Counter({s: n for s, n in spellings.items() if not s.islower()})
    text = max(capitalised, key=lambda s: (capitalised[s], s[0].isupper(), sum(c.isupper() for c in s)))
    acronym = all(s.isupper() for s in capitalised)
    variants = tuple(sorted(s for s in spellings if not (acronym and s.islower())))
    return Term(text, sort_key(text, readings), variants)


def find_terms(book: Book, glossary: list[str], extra: list[str], ignore: list[str],
               stopwords: frozenset[str] = frozenset(), readings: Optional[Mapping[str, str]] = None) -> list[Term]:
    """Glossary terms that occur, extra terms, and Latin names used in prose outside 《cited titles》, minus
    the stop list and index_ignore; case variants are one term. `readings` fixes Chinese sort keys."""
    stop = stopwords | {w.lower() for w in ignore}
    spellings: dict[str, Counter[str]] = {}
    texts = list(_prose(book))
    for text in texts:
        for word in candidates(text, stop):
            spellings.setdefault(word.lower(), Counter())[word] += 1
    found = {key: c for key, c in spellings.items() if _worth_indexing(c, stop)}
    for word in extra:  # always indexed, in the spelling given
        found[word.lower()] = Counter(spellings.get(word.lower(), {}))
        found[word.lower()][word] += 1 << 30
    terms = [_fold(c, readings) for c in found.values()]
    joined = "\n".join(texts)
    terms += [Term(g, sort_key(g, readings)) for g in dict.fromkeys(glossary) if g in joined and g.lower() not in found]
    return sorted(terms, key=lambda t: (t.sort_key, t.text))


class TermMarker:
    """Finds the first occurrence of each term in a piece of prose."""

    def __init__(self, terms: list[Term]):
        self.terms = {v: t for t in terms for v in t.variants or (t.text,)}
        ordered = sorted(self.terms, key=len, reverse=True)  # 变分自编码器 before 自编码器
        self.pattern: Optional[re.Pattern[str]] = None
        if ordered:
            alts = "|".join(re.escape(t) for t in ordered)
            self.pattern = re.compile(BEFORE + "(?:" + alts + ")" + AFTER)

    def split(self, text: str, seen: set[str]) -> list[tuple[str, Term | None]]:
        """Cut text into pieces; a piece carries the term it ends with, once per `seen` scope (any spelling
        of a term counts). Table rows and code left among the paragraphs get no marks."""
        if not self.pattern or not prose(text):
            return [(text, None)]
        out: list[tuple[str, Term | None]] = []
        last = 0
        for m in self.pattern.finditer(text):
            term = self.terms[m.group(0)]
            if term.text in seen:
                continue
            seen.add(term.text)
            out.append((text[last:m.end()], term))
            last = m.end()
        out.append((text[last:], None))
        return out
