"""The researchers' live path: `make lab` started in the background, driven by Debian's chromium.

The fixture runs the README's `make lab` on a free loopback port over a temporary copy of
notebooks/ (so nothing in the repository changes), with JupyterLab's user folders in the same
temporary place, reads the server's PID, URL and token from the runtime file Jupyter writes, and
at the end stops the server by that PID (SIGTERM: Jupyter shuts its kernels down) and checks it is
gone. The tests wait on selectors and on the notebook's own prompts, never on fixed sleeps.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.paths import REPO_ROOT
from helpers.widgets.explorer import explorer_state, shown_table

pytestmark = [pytest.mark.browser, pytest.mark.live]

START_TIMEOUT_S = 180  # `make lab` on a busy 2-core machine: set-up check, server start
RUN_TIMEOUT_MS = int(
    os.environ.get("LAB_TEST_RUN_TIMEOUT_MS", 300_000)
)  # a whole chapter run by the lab's kernel, with other jobs on the machine
UI_TIMEOUT_MS = 60_000

# The comparisons notebook's defaults (its parameters cell) and the explorer call in it.
KERNEL = "Python 3 (book)"  # the display name `make setup` installs the venv's kernel under
MUNICIPALITY, INDICATOR, YEARS = "Tampere", "social_assistance_recipients_25_64_pct", (2006, 2020)


@dataclass
class Lab:
    url: str
    token: str
    pid: int
    root: Path
    log: Path

    @contextlib.contextmanager
    def session(self, browser, notebook: str, test_name: str):
        """One notebook open in the lab for a test; on failure, a screenshot and the server's log."""
        page = self.open(browser, notebook)
        try:
            yield page
        except BaseException:
            shot = self.root.parent / f"{test_name}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot: {shot}\n`make lab` log (end):\n{self.log.read_text()[-2000:]}")
            raise
        finally:
            page.close()

    def open(self, browser, notebook: str):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # The lab and the book load nothing from outside this server; a stray request fails here.
        outside: list[str] = []

        def route(request_route):
            if request_route.request.url.startswith(self.url) or request_route.request.url.startswith("data:"):
                request_route.continue_()
            else:
                outside.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.outside_requests = outside
        page.set_default_timeout(UI_TIMEOUT_MS)
        # A workspace per notebook: the lab does not restore another test's tabs next to this one.
        workspace = Path(notebook).stem
        page.goto(f"{self.url}lab/workspaces/{workspace}/tree/{notebook}?token={self.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")
        # The kernel connected and idle, as the status bar says (the toolbar's indicator reads "idle"
        # for a moment before the kernel is there, and running then opens a "Select Kernel" dialog).
        page.locator("#jp-main-statusbar .jp-StatusBar-TextItem", has_text=f"{KERNEL} | Idle").wait_for(
            state="attached", timeout=START_TIMEOUT_S * 1000
        )
        return page


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_info(runtime: Path, port: int, process: subprocess.Popen, log: Path) -> dict:
    """The runtime file Jupyter writes when it listens (pid, url, token), then a served /api/status."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`make lab` exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        for path in runtime.glob("jpserver-*.json"):
            try:
                info = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue  # being written
            if info.get("port") != port:
                continue
            try:
                with urllib.request.urlopen(f"{info['url']}api/status?token={info['token']}", timeout=5) as answer:
                    if answer.status == 200:
                        return info
            except OSError:
                pass
        time.sleep(0.25)  # polling a process that has not written its file yet; no UI is waited on here
    pytest.fail(f"JupyterLab did not start within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(
        REPO_ROOT / "notebooks", root, ignore=shutil.ignore_patterns("chart-data", "exports", ".ipynb_checkpoints")
    )
    user_settings = base / "user-settings"
    # Every cell in the DOM (JupyterLab draws only the visible ones by default), so prompts can be read.
    tracker = user_settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    runtime = base / "runtime"
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTERLAB_SETTINGS_DIR=str(user_settings),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
    )
    env.pop("BOOK_CHART_DATA_DIR", None)  # chart data next to the notebooks, as for a researcher
    port = _free_port()
    log = base / "make-lab.log"
    started = time.monotonic()
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "lab",
                f"LAB_DIR={root}",
                f"LAB_PORT={port}",
                "LAB_ARGS=--no-browser --ServerApp.port_retries=0",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so nothing outlives the test
        )
    try:
        info = _server_info(runtime, port, process, log)
        print(f"\nmake lab: serving in {time.monotonic() - started:.1f} s (pid {info['pid']}, port {port})")
        yield Lab(url=info["url"], token=info["token"], pid=info["pid"], root=root, log=log)
        os.kill(info["pid"], signal.SIGTERM)
        process.wait(timeout=60)  # make returns once the server has shut its kernels down and exited
        assert not _alive(info["pid"]), f"JupyterLab (pid {info['pid']}) still running after SIGTERM"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after shutdown"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _first_row_name(page) -> str:
    return page.locator(".widget-output table.book-table tbody tr").first.locator("td").nth(1).inner_text()


def _chart_svg(page) -> str:
    """The explorer's chart as drawn: JupyterLab shows image/svg+xml as an <img> with a data URL."""
    source = page.locator(".widget-output img").first.get_attribute("src")
    assert source and source.startswith("data:image/svg+xml"), source
    return urllib.parse.unquote(source.split(",", 1)[1])


def test_make_lab_prints_the_loopback_url_with_a_token(lab):
    text = lab.log.read_text()
    assert re.search(r"^lab: JupyterLab 4\.\d+\.\d+ on .*notebooks/ with the kernel \"Python 3 \(book\)\"", text, re.M)
    assert re.search(rf"http://127\.0\.0\.1:\d+/lab\?token={lab.token}", text)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab.url}api/contents", timeout=10)  # no token, no access
    assert refused.value.code == 403
    # Autosave is off (the stored outputs are the reference edition), as the settings the lab serves say.
    plugin = "@jupyterlab/docmanager-extension:plugin"
    with urllib.request.urlopen(f"{lab.url}lab/api/settings/{plugin}?token={lab.token}", timeout=10) as answer:
        served = json.loads(answer.read())
    # The overrides file becomes the schema's default, which user settings (none here) would override.
    assert served["schema"]["properties"]["autosave"]["default"] is False and "autosave" not in served["settings"]


def test_explorer_redraws_from_a_dropdown_and_exports_what_it_shows(lab, browser):
    _, region = explorer_state(MUNICIPALITY, INDICATOR, "region", YEARS)
    _, everyone = explorer_state(MUNICIPALITY, INDICATOR, "all", YEARS)
    before, after = region.iloc[0]["Municipality"], everyone.iloc[0]["Municipality"]
    assert before != after, "the change tested must change the table's first row"
    with lab.session(browser, "comparisons.ipynb", "explorer") as page:
        started = time.monotonic()
        _menu(page, "Run", "Run All Cells")
        page.wait_for_selector(".widget-output .explorer-summary", state="attached", timeout=RUN_TIMEOUT_MS)
        print(f"\ncomparisons.ipynb: explorer drawn {time.monotonic() - started:.1f} s after Run All Cells")
        assert _first_row_name(page) == before
        assert "Tampere and same region, 2019" in _chart_svg(page)

        group = page.locator(".widget-dropdown", has_text="Comparison group").locator("select")
        group.scroll_into_view_if_needed()
        group.select_option(label="All municipalities")
        page.wait_for_function(
            """(expected) => {
                const row = document.querySelector(".widget-output table.book-table tbody tr");
                return row && row.querySelectorAll("td")[1].textContent === expected;
            }""",
            arg=after,
            timeout=UI_TIMEOUT_MS,
        )
        svg = _chart_svg(page)
        assert "Tampere and all municipalities, 2019" in svg and "Tampere and same region" not in svg
        summary = page.locator(".widget-output .explorer-summary").inner_text()
        assert f"(all municipalities, {len(everyone)} municipalities" in summary

        page.locator(".widget-button", has_text="Table as CSV").click()
        status = page.locator(".explorer-export-status")
        status.filter(has_text="Wrote the table").wait_for(state="attached")
        exported = lab.root / "exports" / f"explorer_837_{INDICATOR}_all_{YEARS[0]}-{YEARS[1]}.csv"
        assert exported.name in status.inner_text()
        written = pd.read_csv(StringIO(exported.read_text(encoding="utf-8")), dtype={"Municipality code": str})
        expected = shown_table(everyone)
        assert list(written.columns) == list(expected.columns)
        assert written["Municipality code"].tolist() == expected["Municipality code"].tolist()
        assert written.iloc[0]["Municipality"] == after
        assert not page.outside_requests, page.outside_requests


def test_restart_kernel_and_run_all_from_the_lab_runs_every_cell_without_error(lab, browser):
    name = "introduction.ipynb"
    with lab.session(browser, name, "restart-run-all") as page:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
        _menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
            ".every(p => !/\\[(\\d+|\\*)\\]/.test(p.textContent))"
        )
        started = time.monotonic()
        _menu(page, "Run", "Restart Kernel and Run All Cells…")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        # Started: a prompt shows a number or [*]; finished: none shows [*] (an error stops the run there).
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
            ".some(p => /\\[(\\d+|\\*)\\]/.test(p.textContent))",
            timeout=RUN_TIMEOUT_MS,
        )
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('[*]'))",
            timeout=RUN_TIMEOUT_MS,
        )
        print(f"\n{name}: Restart Kernel and Run All Cells took {time.monotonic() - started:.1f} s")
        shown = [text.strip() for text in prompts.all_inner_texts()]
        assert shown == [f"[{n}]:" for n in range(1, len(shown) + 1)], shown

        # Save through the UI (into the temporary copy; autosave is off) and read what the lab ran from disk.
        dirty = page.locator(".lm-TabBar-tab.jp-mod-dirty")
        dirty.wait_for(state="attached")
        _menu(page, "File", "Save Notebook")
        dirty.wait_for(state="detached")  # the server has written the file
        notebook = nbformat.read(lab.root / name, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
        errors = [output for cell in code for output in cell.outputs if output.output_type == "error"]
        assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
        assert sum(len(cell.outputs) for cell in code) > 0
        assert not page.outside_requests, page.outside_requests


@pytest.mark.parametrize("mirror", [None, "/nonexistent/data-release"])
def test_make_lab_stops_first_with_the_fix_when_the_data_setting_is_wrong(mirror, tmp_path):
    if mirror is None and (REPO_ROOT / ".cache" / "data-release").is_dir():
        pytest.fail("this check needs no refreshed release in .cache/data-release/ (make lab would start on it)")
    env = {key: value for key, value in os.environ.items() if key != "BOOK_DATA_MIRROR"}
    if mirror:
        env["BOOK_DATA_MIRROR"] = mirror
    started = time.monotonic()
    done = subprocess.run(
        ["make", "--no-print-directory", "lab", f"LAB_DIR={tmp_path}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and time.monotonic() - started < 30  # before any set-up or server start
    problem = done.stderr.splitlines()[0]
    expected = "is not set" if mirror is None else "is not a folder"
    assert problem.startswith("make lab: BOOK_DATA_MIRROR") and expected in problem and "Fix:" in problem
    assert "JupyterLab" not in done.stdout
