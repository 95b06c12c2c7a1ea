"""Volumes: the seed book as one PDF per series (volumes: series), built once for the module and read back."""
from __future__ import annotations

from conftest import make_book, run_book
from fixtures_text import FORMAT_A


def test_bad_volumes_are_reported_with_their_lines(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, "sources: [excerpts/*.txt]\n"
                         "series:\n  - {key: vae, title: 变分自编码器}\n  - {key: gan, title: 对抗网络}\n"
                         "volumes:\n  - {key: v1, parts: [vea]}\n  - {key: v1, parts: [other]}\n")
    assert run_book(cfg_path, "volumes") == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{cfg_path}:6: error: volumes[0].parts[0]: 'vea' is not a part: vae, gan, other; did you mean 'vae'?",
        f"{cfg_path}:7: error: volumes[1].key: 'v1' is the key of volumes[0] too"]
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8").split("volumes:")[0] +
                        "volumes:\n  - {key: v1, parts: [vae]}\n", encoding="utf-8")
    assert run_book(cfg_path, "volumes") == 2
    assert capsys.readouterr().err == f"{cfg_path}:5: error: volumes: 'gan', 'other' are in no volume; each part " \
                                      "goes in exactly one (`other`: the posts in no series)\n"
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8").split("volumes:")[0] + "volumes: serie\n",
                        encoding="utf-8")
    assert run_book(cfg_path, "volumes") == 2
    assert "did you mean 'series'?" in capsys.readouterr().err
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8").split("volumes:")[0] + "volumes: series\n",
                        encoding="utf-8")
    assert run_book(cfg_path, "volumes", "va") == 1
    assert "no volume 'va' in book.yaml; did you mean 'vae'?" in capsys.readouterr().err
