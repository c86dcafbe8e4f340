"""The build: run plan and table of contents agree, runs are keyed, failures keep the last good book."""

import os
import shutil
import subprocess
import sys
import threading
import time

import nbformat
import pytest
import yaml

from helpers.book import build, runplan
from helpers.errors import BuildError, ParameterError
from helpers.paths import BOOK_DIR, REPO_ROOT


def test_committed_toc_is_the_one_the_run_plan_implies():
    plan = runplan.load_run_plan()
    assert (BOOK_DIR / "_toc.yml").read_text(encoding="utf-8") == runplan.toc_text(plan)


def test_every_notebook_in_the_run_plan_validates_with_its_parameters():
    plan = runplan.load_run_plan()
    validated = build.validate_plan(plan)
    assert set(validated) == {page.page for page in plan.notebook_pages()}


def _write_plan(tmp_path, body):
    path = tmp_path / "runplan.yml"
    path.write_text(yaml.safe_dump(body))
    return path


def test_run_plan_rejects_duplicate_pages_unknown_keys_and_missing_notebooks(tmp_path):
    page = {"page": "chapters/introduction", "notebook": "notebooks/introduction.ipynb", "chapter": "introduction"}
    with pytest.raises(ParameterError, match="appears twice"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": page, "parts": [{"caption": "x", "pages": [dict(page)]}]}))
    with pytest.raises(ParameterError, match=r"unknown keys \['params'\]"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": {**page, "params": {}}}))
    with pytest.raises(ParameterError, match="notebooks/nope.ipynb does not exist"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": {"page": "x", "notebook": "notebooks/nope.ipynb"}}))
    without_chapter = {key: value for key, value in page.items() if key != "chapter"}
    with pytest.raises(ParameterError, match=r"names its chapter module, e.g. `chapter: pilot`"):
        runplan.load_run_plan(_write_plan(tmp_path, {"root": without_chapter}))


def test_an_unknown_chapter_gets_the_nearest_names_before_any_kernel(tmp_path):
    page = {"page": "chapters/pilot", "notebook": "notebooks/pilot.ipynb", "chapter": "pilott"}
    plan = runplan.load_run_plan(_write_plan(tmp_path, {"root": page}))
    with pytest.raises(ParameterError, match=r"pilot.ipynb: unknown chapter 'pilott'; nearest: pilot"):
        build.validate_plan(plan)


def test_run_key_follows_parameters_data_and_source_but_not_outputs(tmp_path):
    page = runplan.Page(page="chapters/introduction", notebook="notebooks/introduction.ipynb")
    key = build.run_key(page, {"year": 2019}, {"population": "abc"}, "code")
    assert key == build.run_key(page, {"year": 2019}, {"population": "abc"}, "code")
    assert key != build.run_key(page, {"year": 2018}, {"population": "abc"}, "code")
    assert key != build.run_key(page, {"year": 2019}, {"population": "abd"}, "code")
    assert key != build.run_key(page, {"year": 2019}, {"population": "abc"}, "other code")

    notebook = nbformat.read(page.notebook_path, as_version=4)
    copy = tmp_path / "copy.ipynb"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(notebook, copy)
    assert build.notebook_source_hash(copy) == build.notebook_source_hash(page.notebook_path)
    notebook.cells[0].source += " "
    nbformat.write(notebook, copy)
    assert build.notebook_source_hash(copy) != build.notebook_source_hash(page.notebook_path)


def _environment_without_mirror(tmp_path):
    environment = dict(os.environ)
    environment["BOOK_DATA_MIRROR"] = str(tmp_path / "no-such-release")
    return environment


def test_build_without_data_stops_at_once_and_says_how_to_provide_it(tmp_path):
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "helpers", "build"],
        capture_output=True,
        text=True,
        env=_environment_without_mirror(tmp_path),
        cwd=REPO_ROOT,
    )
    elapsed = time.perf_counter() - started
    assert completed.returncode == 3, completed.stderr
    assert "BOOK_DATA_MIRROR" in completed.stderr
    assert "executing" not in completed.stdout, "no notebook may run without data"
    assert elapsed < 20


@pytest.fixture
def last_good_book(tmp_path, monkeypatch):
    html = tmp_path / "book" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("last good book")
    monkeypatch.setattr(build, "HTML_DIR", html)
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "runs")
    return html


def test_a_failing_notebook_leaves_the_last_good_book_in_place(tmp_path, last_good_book):
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("year: int = 2019  # a year")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("raise RuntimeError('synthetic failure')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(notebook, tmp_path / "notebooks" / "failing.ipynb")
    plan = runplan.RunPlan(
        root=runplan.Page(page="chapters/failing", notebook=str(tmp_path / "notebooks" / "failing.ipynb")), parts=()
    )
    with pytest.raises(BuildError, match="synthetic failure"):
        build.run_pages(plan, {"chapters/failing": {"year": 2019}}, {"population": "x"}, workers=1)
    assert (last_good_book / "index.html").read_text() == "last good book"
    assert not list((tmp_path / "runs").glob("*/run.json")), "a failed run must not be cached as done"


def test_a_failing_jupyter_book_build_leaves_the_last_good_book_in_place(tmp_path, monkeypatch, last_good_book):
    source = tmp_path / "broken-book"
    source.mkdir()
    (source / "_config.yml").write_text("title: synthetic\nexecute:\n  execute_notebooks: 'off'\n")
    (source / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (source / "intro.md").write_text("# Synthetic\n\nA link to {doc}`a-page-that-does-not-exist`.\n")
    monkeypatch.setattr(build, "WORK_BUILD_DIR", tmp_path / "work")
    monkeypatch.setattr(build, "CACHE_DIR", tmp_path)
    with pytest.raises(BuildError, match="Jupyter Book build failed"):
        build.jupyter_book_build({"en": source})
    assert (last_good_book / "index.html").read_text() == "last good book"


# ------------------------------------------------------------------ one build at a time (case 1)


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path):
    import fcntl

    lock_file = REPO_ROOT / ".cache" / "locks" / "book.lock"  # the lock every build takes
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.seek(0)
        held.truncate()
        held.write("a test standing in for a running build\n")
        held.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "helpers", "build"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment_without_mirror(tmp_path),
            cwd=REPO_ROOT,
        )
        first_line = process.stdout.readline()
        assert "waiting" in first_line and "a test standing in for a running build" in first_line, first_line
        time.sleep(1.0)
        assert process.poll() is None, "the second build must wait while the first holds the lock"
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = process.communicate(timeout=60)
    assert "lock acquired" in out
    assert process.returncode == 3 and "BOOK_DATA_MIRROR" in err  # then it ran (and stopped: no data here)


# ------------------------------------------------------------------ publishing (cases 1, 4, 9)


def _synthetic_book(root, pages: dict[str, str], chart_data: dict[str, str]):
    """SYNTHETIC: a two-file Jupyter Book with extra files, like the book's chart data."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "_extra" / "chart-data").mkdir(parents=True)
    (root / "_config.yml").write_text(
        "title: synthetic\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n  config:\n    html_extra_path: ['_extra']\n"
    )
    names = list(pages)
    toc = f"format: jb-book\nroot: {names[0]}\n"
    if names[1:]:
        toc += "chapters:\n" + "".join(f"  - file: {name}\n" for name in names[1:])
    (root / "_toc.yml").write_text(toc)
    for name, text in pages.items():
        (root / f"{name}.md").write_text(text)
    for name, text in chart_data.items():
        (root / "_extra" / "chart-data" / name).write_text(text)


@pytest.fixture
def synthetic_publishing(tmp_path, monkeypatch):
    html = tmp_path / "published" / "_build" / "html"
    monkeypatch.setattr(build, "BOOK_DIR", tmp_path / "source")
    monkeypatch.setattr(build, "WORK_BUILD_DIR", tmp_path / "work")
    monkeypatch.setattr(build, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(build, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(build, "HTML_DIR", html)
    monkeypatch.setattr(build, "PUBLISHED_MANIFEST", tmp_path / "published-book.json", raising=False)
    return tmp_path / "source", html


def _build_synthetic(source):
    """The synthetic book as the one edition 'en', published under html/en/."""
    build.jupyter_book_build({"en": source})


def test_republishing_is_one_atomic_step_and_holds_exactly_the_new_build(synthetic_publishing, monkeypatch):
    source, html = synthetic_publishing
    _synthetic_book(source, {"intro": "# Synthetic\n", "old": "# Old page\n"}, {"release-a.json": "[1]"})
    _build_synthetic(source)
    assert (html / "en" / "old.html").is_file() and (html / "en" / "chart-data" / "release-a.json").is_file()

    # the next build: another data release's chart data, one page fewer; every rename made slow,
    # so a swap done in two renames would leave a gap a polling reader cannot miss
    _synthetic_book(source, {"intro": "# Synthetic, second edition\n"}, {"release-b.json": "[2]"})
    real_replace = os.replace

    def slow_replace(*args, **kwargs):
        real_replace(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(os, "replace", slow_replace)
    reads, misses, stop = [0], [0], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                (html / "index.html").read_bytes()
                reads[0] += 1
            except FileNotFoundError:
                misses[0] += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        _build_synthetic(source)
    finally:
        stop.set()
        thread.join()
    assert reads[0] > 0 and misses[0] == 0, f"index.html was missing {misses[0]} times during the swap"
    assert "second edition" in (html / "en" / "intro.html").read_text()
    assert sorted(p.name for p in (html / "en" / "chart-data").iterdir()) == ["release-b.json"]
    assert not (html / "en" / "old.html").exists(), "a page no longer built must not stay published"


def test_versions_are_pruned_and_an_interrupted_copy_leaves_the_book(tmp_path, monkeypatch):
    from helpers.book import publish

    html, manifest = tmp_path / "_build" / "html", tmp_path / "published.json"
    built = tmp_path / "built"
    for edition in range(4):
        shutil.rmtree(built, ignore_errors=True)
        built.mkdir()
        (built / "index.html").write_text(f"edition {edition}")
        publish.publish(built, html, manifest)
    assert (html / "index.html").read_text() == "edition 3"
    assert len(list(publish.versions_dir(html).iterdir())) == publish.KEEP_VERSIONS
    before = {p.name: p.read_bytes() for p in html.iterdir()}

    def interrupted_copy(source, target, **kwargs):
        target.mkdir(parents=True)
        (target / "index.html").write_text("half a copy")
        raise KeyboardInterrupt

    monkeypatch.setattr(publish.shutil, "copytree", interrupted_copy)
    (built / "index.html").write_text("edition 4")
    with pytest.raises(KeyboardInterrupt):
        publish.publish(built, html, manifest)
    assert {p.name: p.read_bytes() for p in html.iterdir()} == before  # the last good book, byte for byte


def test_a_published_book_that_differs_from_its_build_is_rebuilt(tmp_path):
    from helpers.book import publish

    html, manifest = tmp_path / "_build" / "html", tmp_path / "published.json"
    built = tmp_path / "built"
    (built / "chapters").mkdir(parents=True)
    (built / "index.html").write_text("index")
    (built / "chapters" / "pilot.html").write_text("pilot")
    publish.publish(built, html, manifest)
    publish.record_fingerprint(manifest, "sources-1")
    assert publish.why_republish(html, manifest, "sources-1") is None
    assert "sources changed" in publish.why_republish(html, manifest, "sources-2")

    (html / "chapters" / "pilot.html").unlink()
    assert "missing chapters/pilot.html" in publish.why_republish(html, manifest, "sources-1")
    (html / "chapters" / "pilot.html").write_text("edited by hand")
    assert "changed chapters/pilot.html" in publish.why_republish(html, manifest, "sources-1")
    (html / "chapters" / "pilot.html").write_text("pilot")
    (html / "stray.html").write_text("not built")
    assert "not built stray.html" in publish.why_republish(html, manifest, "sources-1")


def test_a_hand_edit_of_a_published_page_is_seen_through_the_remembered_digests(tmp_path):
    """The no-change check compares remembered digests (by size and time), not file contents: an
    edit after the publish still changes the page's time, so it is still caught."""
    from helpers.book import publish
    from helpers.book.filehash import FileHashes

    html, manifest, store = tmp_path / "_build" / "html", tmp_path / "published.json", tmp_path / "hashes.json"
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text("index")
    (built / "pilot.html").write_text("pilot")
    memo = FileHashes(store)
    publish.publish(built, html, manifest, memo=memo)
    publish.record_fingerprint(manifest, "sources-1")
    memo.save()

    later = FileHashes(store)
    assert publish.why_republish(html, manifest, "sources-1", later) is None
    assert later.hashed == 0  # nothing read: every file's size and time matched
    page = html / "pilot.html"
    stamp = page.stat().st_mtime_ns
    page.write_text("PILOT")  # same size, new content
    os.utime(page, ns=(stamp + 1_000_000, stamp + 1_000_000))
    assert "changed pilot.html" in publish.why_republish(html, manifest, "sources-1", FileHashes(store))
