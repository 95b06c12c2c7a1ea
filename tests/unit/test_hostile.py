"""Bad and hostile dumps: the book still builds, nothing outside build/ is read or written, no hang."""
from __future__ import annotations

import zipfile

from conftest import HOSTILE, make_book, run_book


def test_specials_in_titles_and_html_in_epub(tmp_path):
    cfg_path = make_book(tmp_path, {"a.txt": (HOSTILE / "06_specials_title.txt").read_text(encoding="utf-8")})
    assert run_book(cfg_path, "epub", "-q") == 0
    with zipfile.ZipFile(tmp_path / "build" / "book.epub") as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "<script>" not in xhtml and "&lt;script&gt;" in xhtml
    assert "50%的#&amp;_~^\\{}测试" in xhtml


def test_internal_error_is_short_and_points_to_the_trace(tmp_path, monkeypatch, capsys):
    import builder.build.chapters
    cfg_path = make_book(tmp_path, {"a.txt": (HOSTILE / "09_crlf_bom.txt").read_text(encoding="utf-8")})
    monkeypatch.setattr(builder.build.chapters, "load_book", lambda cfg, *more: 1 / 0)
    assert run_book(cfg_path, "chapters") == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "full trace in" in err and "Traceback" not in err
