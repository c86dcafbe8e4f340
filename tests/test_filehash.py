"""Digests remembered by size and time (helpers.book.filehash): what a no-change build relies on."""

import os
import time

from helpers.book.filehash import RACY_SECONDS, FileHashes, files_under, sha256_of


def _age(path, seconds):
    """Move a file's times ``seconds`` into the past (older than the racy window)."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path):
    page, store = tmp_path / "page.html", tmp_path / "memo.json"
    page.write_text("first")
    _age(page, 60)
    memo = FileHashes(store)
    first = memo.sha256(page)
    assert first == sha256_of(page) and memo.hashed == 1
    memo.save()

    again = FileHashes(store)
    assert again.sha256(page) == first and again.hashed == 0

    page.write_text("FIRST")  # same size: only the time tells
    _age(page, 30)
    changed = FileHashes(store)
    assert changed.sha256(page) == sha256_of(page) != first and changed.hashed == 1


def test_a_file_written_within_the_racy_window_is_hashed_every_time(tmp_path):
    page, store = tmp_path / "page.html", tmp_path / "memo.json"
    page.write_text("fresh")
    memo = FileHashes(store)
    memo.sha256(page)
    memo.save()
    assert time.time() - page.stat().st_mtime < RACY_SECONDS
    fresh = FileHashes(store)
    fresh.sha256(page)
    assert fresh.hashed == 1  # not remembered: a second write in the same clock tick could hide


def test_remember_records_what_the_build_wrote_and_save_keeps_only_what_was_used(tmp_path):
    kept, dropped, store = tmp_path / "kept.txt", tmp_path / "dropped.txt", tmp_path / "memo.json"
    kept.write_text("kept")
    dropped.write_text("dropped")
    _age(dropped, 60)
    memo = FileHashes(store)
    memo.remember(kept, sha256_of(kept))
    memo.sha256(dropped)
    memo.save()

    second = FileHashes(store)
    assert second.sha256(kept) == sha256_of(kept) and second.hashed == 0  # fresh, but written by us
    second.save()  # ``dropped`` was not asked for
    third = FileHashes(store)
    third.sha256(dropped)
    assert third.hashed == 1


def test_same_content_compares_sizes_first_and_a_missing_file_is_different(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_text("same")
    b.write_text("same")
    c.write_text("other!")
    memo = FileHashes()
    assert memo.same_content(a, b)
    assert not memo.same_content(a, c)
    assert memo.hashed == 2  # c differs in size: not read
    assert not memo.same_content(a, tmp_path / "missing")


def test_a_damaged_memo_is_ignored(tmp_path):
    page, store = tmp_path / "page.html", tmp_path / "memo.json"
    page.write_text("x")
    store.write_text("{not json")
    memo = FileHashes(store)
    assert memo.sha256(page) == sha256_of(page)


def test_files_under_skips_top_level_entries_and_checkpoints_only(tmp_path):
    for name in ("a.md", "_build/html/x.html", "sub/_build/kept.md", "sub/.ipynb_checkpoints/b.ipynb", "_toc.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    found = [path.relative_to(tmp_path).as_posix() for path in files_under(tmp_path, {"_build", "_toc.yml"})]
    assert found == ["a.md", "sub/_build/kept.md"]
