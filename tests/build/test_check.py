"""`book check`: text that is in the PDF is found, wherever the book's own additions put it; missing text is not."""
from __future__ import annotations

from conftest import run_book, seed_book


def test_a5_book_is_complete_and_a_missing_sentence_is_reported(tmp_path, require_tex, capsys):
    cfg_path = seed_book(tmp_path)
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8").replace("paper: a4paper", "paper: a5paper"),
                        encoding="utf-8")
    assert "paper: a5paper" in cfg_path.read_text(encoding="utf-8")
    assert run_book(cfg_path, "pdf", "-q") == 0
    capsys.readouterr()
    assert run_book(cfg_path, "check") == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("(100.0%)")
    dump = tmp_path / "excerpts" / "000_533a38e5cfb58e24.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("牛顿下降\n", "牛顿下降\n这句新话不在书里。\n"),
                    encoding="utf-8")
    assert run_book(cfg_path, "check") == 1
    out = capsys.readouterr().out
    assert "missing: 这句新话不在书里" in out and "MISSING" in out
