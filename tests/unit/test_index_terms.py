"""Index terms: the stop list as data, case folding, prose only (no tables or code), pinyin overrides."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, make_book, run_book

from builder import config
from builder.build.book import load_book
from builder.series.index import (
    Term,
    TermMarker,
    find_terms,
    load_stopwords,
    prose,
    sort_key,
)

YAML = "title: 索引测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n"


def post(title: str, date: str, *lines: str) -> str:
    """One post in the listing format A: title, the by-line running into the first line, the rest."""
    return f"{title}\nBy 苏剑林 | {date} | 10位读者 | 引用" + "\n".join(lines) + "\n"


def terms_of(tmp_path: Path, dump: str, yaml_extra: str = "", stopwords: str | None = None) -> list[Term]:
    cfg_path = make_book(tmp_path, {"a.txt": dump + "最近评论\n"}, YAML + yaml_extra)
    if stopwords is not None:
        (tmp_path / "styles" / "index-stopwords.txt").write_text(stopwords, encoding="utf-8")
    cfg = config.load(cfg_path)
    return find_terms(load_book(cfg), cfg.glossary, cfg.index_terms, cfg.index_ignore,
                      stopwords=load_stopwords(cfg.root / "styles"), readings=cfg.index_pinyin)


def texts(terms: list[Term]) -> set[str]:
    return {t.text for t in terms}


def chapter_tex(tmp_path: Path) -> str:
    assert run_book(tmp_path / "book.yaml", "chapters", "-q") == 0
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "chapters").glob("*.tex")))


NAMES = post("名字与普通词", "2020-01-01",
             "Adam与Sinkhorn迭代、Fokker-Planck方程、Stirling公式、Gumbel技巧和Softmax都是名字。",
             "GAN、VAE、CRF和KL散度也都要进索引。",
             "What？我们看Attention的Key和Query，Word文档里的Batch Size，矩阵A B，Hi，Re：回复。",
             "如果x is None，in NLP……")


def test_stop_list_is_data_in_styles(tmp_path):
    shipped = load_stopwords(ROOT / "builder" / "styles")
    # The words that were hard-coded in index.py, and the typesetter's generic words, are in the file.
    assert {"the", "via", "key", "new", "yes", "ok"} <= shipped
    assert {"print", "theta", "query", "rank", "context", "linear", "baseline", "normal", "uniform", "word",
            "meta", "hash", "batch"} <= shipped
    assert not {"adam", "sinkhorn", "gumbel", "softmax", "green", "gram", "attention"} & shipped
    assert not any(w.startswith("#") or w != w.lower() for w in shipped)

    found = texts(terms_of(tmp_path, NAMES))
    assert {"Adam", "Sinkhorn", "Fokker-Planck", "Stirling", "Gumbel", "Softmax", "GAN", "VAE", "CRF", "KL",
            "Attention", "NLP"} <= found
    for generic in ("What", "Key", "Query", "Word", "Batch Size", "Batch", "A B", "A", "B", "Hi", "Re", "None",
                    "is None", "in NLP"):
        assert generic not in found, generic


def test_stop_list_file_of_the_book_decides_and_index_ignore_adds(tmp_path):
    # The book's own file is read (not a list inside the code): edited, it changes the terms.
    found = texts(terms_of(tmp_path, NAMES, "index_ignore: [gumbel]\n",
                           stopwords="# only these\nSinkhorn   # a name, stopped here to prove the file is read\n"))
    assert "Sinkhorn" not in found and "Gumbel" not in found  # file, then index_ignore (any case)
    assert {"What", "Key", "Query", "Word", "Adam"} <= found  # not in this file: indexed


def test_case_variants_are_one_entry_in_the_most_frequent_spelling(tmp_path):
    dump = post("优化器", "2021-02-03",
                "RMSprop和Adam相比，RMSprop更早。",
                "后来人们常写RMSProp，也写RMSprop；softmax和Softmax，还有Softmax。",
                "Html与HTML各出现一次；NICE模型很nice。")
    terms = {t.text.lower(): t for t in terms_of(tmp_path, dump)}
    assert terms["rmsprop"].text == "RMSprop"  # 3 against 1
    assert set(terms["rmsprop"].variants) == {"RMSprop", "RMSProp"}
    assert terms["softmax"].text == "Softmax" and "softmax" in terms["softmax"].variants
    assert terms["html"].text == "HTML"  # a tie: the spelling with more capitals
    assert terms["nice"].variants == ("NICE",)  # an acronym in lower case is another word
    tex = chapter_tex(tmp_path)
    entries = re.findall(r"\\index\{([^}]*)\}", tex)
    assert entries.count("rmsprop@RMSprop") == 1 and not any("RMSProp" in e for e in entries)
    assert entries.count("softmax@Softmax") == 1


def test_marker_marks_any_spelling_once():
    term = Term("RMSprop", "rmsprop", ("RMSProp", "RMSprop"))
    seen: set[str] = set()
    first = TermMarker([term]).split("用RMSProp优化，", seen)
    assert first == [("用RMSProp", term), ("优化，", None)]
    assert TermMarker([term]).split("再用RMSprop。", seen) == [("再用RMSprop。", None)]


ROW = "工信处/ 女干事/ 每月/ 经过/ 下属/ 科室/ 都/ 要/ 亲口/ 交代/ 24/ 口/ 交换机/ 等/ 技术性/ 器件/ 的/ 安装/ 工作"


def test_tables_and_code_neither_give_terms_nor_get_marks(tmp_path):
    # Rows as long as the real dumps' (short ones are read as headings, which get no marks anyway).
    dump = post("分词工具对比", "2016-05-06",
                "下表对比了分词工具：",
                "分词工具\t测试结果",
                f"Yaha 分词\t{ROW}",
                f"Adam 分词\t{ROW}",
                f"| Jieba | {ROW} |",
                "[u'股权', u'CEO', u'BOSS']",
                "model.fit(Sinkhorn('分词'), epochs=10)",
                "$$\\begin{array}{c|c}\\text{模型} & \\text{Hinton} \\\\ \\text{BERT} & 92.1\\end{array}$$",
                "def train(Optimizer):",
                "    Lookahead = Optimizer()",
                "    return Lookahead",
                "正文里我们只用Adam训练。")
    terms = terms_of(tmp_path, dump)
    assert texts(terms) == {"Adam"}
    tex = chapter_tex(tmp_path)
    assert tex.count(r"\index{") == 1
    assert "Adam 分词" in tex and "Jieba" in tex  # the rows are there, as paragraphs
    assert r"\section{\texorpdfstring{Adam" not in tex
    marked = [line for line in tex.splitlines() if r"\index{adam@Adam}" in line]
    assert len(marked) == 1 and "正文里我们只用Adam" in marked[0]  # not the earlier table row


def test_terms_come_from_chinese_prose_only(tmp_path):
    dump = post("参考文献", "2019-03-04",
                "Yoshua Bengio, Pascal Vincent. A Neural Probabilistic Language Model, 2003",
                "initializer: An Initializer instance (callable).",
                "Bengio的语言模型很有名。")
    assert texts(terms_of(tmp_path, dump)) == {"Bengio"}
    # Chinese ending in a bracket is prose; a call alone on its line is code.
    assert prose("参见文献(3)") and prose("我们用Adam(一种优化器)")
    assert not prose("model.fit(Sinkhorn('分词'), epochs=10)") and not prose("Yaha 分词\t工信处")


def test_pinyin_override_fixes_the_sort_key_of_a_term_and_of_terms_starting_with_it(tmp_path):
    assert sort_key("重参数") == "zhong4 can1 shu4"  # pypinyin's reading, the reason for the setting
    dump = post("重参数技巧", "2019-06-07", "重参数化与重参数的区别，以及重要性采样。")
    yaml = "glossary: [重参数, 重参数化, 重要性采样]\nindex_pinyin: {重参数: chong2 can1 shu4}\n"
    keys = {t.text: t.sort_key for t in terms_of(tmp_path, dump, yaml)}
    assert keys == {"重参数": "chong2 can1 shu4", "重参数化": "chong2 can1 shu4 hua4",
                    "重要性采样": "zhong4 yao4 xing4 cai3 yang4"}
    assert r"\index{chong2 can1 shu4@重参数}" in chapter_tex(tmp_path)
    # Changing the reading re-renders the chapter (its stamp follows the sort keys).
    (tmp_path / "book.yaml").write_text(YAML + yaml.replace("chong2", "zhong4"), encoding="utf-8")
    assert r"\index{zhong4 can1 shu4@重参数}" in chapter_tex(tmp_path)


def test_pinyin_override_keeps_latin_parts_and_uses_the_longest_key():
    readings = {"重": "chong2", "重参数": "chong2 can1 shu4", "VQ重": "chong2"}
    assert sort_key("VQ重参数", readings) == "vq chong2 can1 shu4"
    assert sort_key("重参数化", readings) == "chong2 can1 shu4 hua4"
    assert sort_key("权重", readings) == "quan2 zhong4"  # only a term's start is overridden


def test_index_pinyin_errors_name_the_key_all_at_once(tmp_path):
    path = tmp_path / "book.yaml"
    (tmp_path / "excerpts").mkdir()
    (tmp_path / "excerpts" / "a.txt").write_text(post("标题", "2020-01-01", "正文。"), encoding="utf-8")
    path.write_text(YAML + "index_pinyin: {长度: chang2, 行: hang, VAE: v1, 重: 4, 长尾: chang2 wei3, 绿: lü4}\n",
                    encoding="utf-8")
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    assert err.value.problems == [
        "index_pinyin.长度: 'chang2' has 1 syllable(s) for 2 Chinese character(s)",
        "index_pinyin.行: 'hang' is not pinyin syllables with tone digits (like chang2 du4)",
        "index_pinyin.VAE: the term has no Chinese characters to read",
        "index_pinyin.重: '4' is not pinyin syllables with tone digits (like chang2 du4)",
    ]
    path.write_text(YAML + "index_pinyin: {长尾: Chang2 Wei3, 绿: lü4}\n", encoding="utf-8")
    assert config.load(path).index_pinyin == {"长尾": "chang2 wei3", "绿": "lv4"}  # as pypinyin writes them
