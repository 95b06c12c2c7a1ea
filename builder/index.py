"""Index terms: the book.yaml glossary plus Latin-script names found in the text, with pinyin sort keys."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


from .pinyin import syllables
from .model import Book, ListBlock, Paragraph, Text

# A Latin name, possibly hyphenated or several capitalised words long ("Batch Size", "Fokker-Planck").
LATIN_TERM_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*(?: [A-Z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*)*)(?![A-Za-z0-9])"
)
CITED_RE = re.compile(r"《[^》]*》")
# Common English words and fragments that are not worth an index entry.
STOPWORDS = frozenset("""
a an and as at be by do for from go in is it of on or the to via we with this that these those but not no yes
ok all any one two new key
""".split())
MAKEINDEX_QUOTE = re.compile(r'([!@|"])')


@dataclass(frozen=True)
class Term:
    text: str
    sort_key: str

    def entry(self, display_tex: str) -> str:
        """The \\index argument: `sortkey@display`, makeindex specials quoted."""
        quote = lambda s: MAKEINDEX_QUOTE.sub(r'"\1', s)  # noqa: E731
        return f"{quote(self.sort_key)}@{quote(display_tex)}"


def sort_key(term: str) -> str:
    """Pinyin with tone numbers for Chinese (so 梯度 sorts under T), lower case for Latin."""
    if re.search(r"[\u4e00-\u9fff]", term):
        return " ".join(syllables(term, tones=True)).lower()
    return term.lower()


def _prose(book: Book):
    for chapter in book.chapters():
        for block in chapter.post.blocks:
            if isinstance(block, Paragraph):
                yield from (i.text for i in block.inlines if isinstance(i, Text))
            elif isinstance(block, ListBlock):
                yield from (i.text for item in block.items for i in item if isinstance(i, Text))


def find_terms(book: Book, glossary: list[str], extra: list[str], ignore: list[str]) -> list[Term]:
    """Glossary terms that occur, extra terms, and capitalised Latin names used outside 《cited titles》."""
    counts: Counter[str] = Counter()
    prose = list(_prose(book))
    for text in prose:
        for word in LATIN_TERM_RE.findall(CITED_RE.sub(" ", text)):
            if any(c.isupper() for c in word) and len(word) >= 2 and word.lower() not in STOPWORDS:
                counts[word] += 1
    ignored = {w.lower() for w in ignore}
    names = {w for w in counts if w.lower() not in ignored}
    names |= set(extra)
    joined = "\n".join(prose)
    names |= {g for g in glossary if g in joined}
    return sorted((Term(n, sort_key(n)) for n in names), key=lambda t: (t.sort_key, t.text))


class TermMarker:
    """Finds the first occurrence of each term in a piece of prose."""

    def __init__(self, terms: list[Term]):
        self.terms = {t.text: t for t in terms}
        ordered = sorted(self.terms, key=len, reverse=True)  # 变分自编码器 before 自编码器
        if ordered:
            alts = "|".join(re.escape(t) for t in ordered)
            self.pattern = re.compile(r"(?<![A-Za-z0-9-])(?:" + alts + r")(?![A-Za-z0-9])")
        else:
            self.pattern = None

    def split(self, text: str, seen: set[str]) -> list[tuple[str, Term | None]]:
        """Cut text into pieces; a piece carries the term it ends with, once per `seen` scope."""
        if not self.pattern:
            return [(text, None)]
        out: list[tuple[str, Term | None]] = []
        last = 0
        for m in self.pattern.finditer(text):
            word = m.group(0)
            if word in seen:
                continue
            seen.add(word)
            out.append((text[last:m.end()], self.terms[word]))
            last = m.end()
        out.append((text[last:], None))
        return out
