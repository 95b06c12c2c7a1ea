"""What the tool keeps under build/: JSON of the model's own classes, read back checked; a planted file costs
only a re-parse, never runs code."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REALPOSTS, run_book, seed_book

from builder.model.book import Post
from builder.model.codec import Codec, DecodeError
from builder.read.posts import read_posts
from builder.util.store import Store, atomic_write


def test_real_posts_round_trip_through_json():
    files = [(p, p.name) for p in sorted(REALPOSTS.glob("*.txt"))[:3]]
    posts = read_posts(files, [])
    codec = Codec()
    back = codec.decode(json.loads(json.dumps(codec.encode(posts))), list[Post])
    assert back == posts and len(posts) > 5
    assert all(type(a.blocks) is tuple for a in back)


@pytest.mark.parametrize("tamper", [
    lambda d: d[0].__setitem__("@", "os.system"),  # a class the store does not know
    lambda d: d[0].__setitem__("title", ["not", "text"]),  # a field of the wrong type
    lambda d: d[0].__setitem__("extra", 1),  # a field the class does not have
    lambda d: d[0]["blocks"].append({"@": "Post"}),  # a post where a block must be
])
def test_a_tampered_value_is_refused(tamper):
    codec = Codec()
    data = codec.encode(read_posts([(sorted(REALPOSTS.glob("*.txt"))[0], "a.txt")], []))
    tamper(data)
    with pytest.raises(DecodeError):
        codec.decode(data, list[Post])


def test_planted_cache_files_are_discarded_and_the_dumps_read_again(tmp_path, capsys):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "list") == 0
    first = capsys.readouterr().out
    parsed = tmp_path / "build" / ".parsed"
    entries = sorted(parsed.glob("*.json"))
    assert entries
    canary = tmp_path / "canary"
    for k, entry in enumerate(entries):
        stored = json.loads(entry.read_text(encoding="utf-8"))
        if k % 2:  # the right key, a value that is no model
            stored["value"] = [[{"@": "os.system", "cmd": f"touch {canary}"}], []]
            entry.write_text(json.dumps(stored), encoding="utf-8")
        else:  # not JSON at all (a pickle, say)
            entry.write_bytes(b"\x80\x04cos\nsystem\n(S'touch " + str(canary).encode() + b"'\ntR.")
    (tmp_path / "build" / ".terms.json").write_text("{not json", encoding="utf-8")
    assert run_book(cfg_path, "list") == 0
    assert capsys.readouterr().out == first
    assert not canary.exists()
    assert all(json.loads(e.read_text(encoding="utf-8"))["format"] == 1 for e in parsed.glob("*.json"))


def test_writes_never_follow_a_link_planted_at_a_temporary_name(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    target = tmp_path / "book" / "state.json"
    target.parent.mkdir()
    for name in (".state.json.tmp", "state.json.tmp"):  # the names earlier versions used
        (target.parent / name).symlink_to(outside)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and outside.read_text(encoding="utf-8") == "keep"
    store = Store(target.parent)
    store.write("entry.json", {"a": 1}, key="k")
    assert store.read("entry.json", key="k") == {"a": 1} and store.read("entry.json", key="other") is None
    assert not any(p.name.endswith(".tmp") and not p.is_symlink() for p in Path(target.parent).iterdir())
