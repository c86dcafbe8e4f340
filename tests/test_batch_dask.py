"""Scale-out: the same runs on a real Dask scheduler and two workers give the local result.

Starts `dask scheduler` and two `dask worker` processes from the venv on 127.0.0.1, builds a
small family of the labelled test template through them, builds it again locally, compares,
and stops the three processes by their PIDs.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.book import build, runplan
from helpers.errors import BuildError

DASK = Path(sys.executable).with_name("dask")
CODES = ["091", "837", "853", "564"]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    logs = []
    processes = []

    def start(name, *arguments):
        log = open(folder / f"{name}.log", "w")
        logs.append(log)
        process = subprocess.Popen([str(DASK), *arguments], stdout=log, stderr=subprocess.STDOUT, cwd=folder)
        processes.append(process)
        return process

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file))  # fmt: skip
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.exists(), (folder / "scheduler.log").read_text()
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = [
            start(
                f"worker{index}",
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"book-worker-{index}",
            )  # fmt: skip
            for index in (1, 2)
        ]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, {process.pid for process in workers}
    finally:
        for process in reversed(processes):
            stop(process)
        for log in logs:
            log.close()


def plan(tmp_path):
    family = {
        "family": "population",
        "page": "population/{municipality}",
        "notebook": "tests/data/batch_template.ipynb",
        "over": {"list": [{"municipality": code} for code in CODES]},
    }
    path = tmp_path / "runplan.yml"
    path.write_text(
        yaml.safe_dump({"root": {"page": "pages/how-to-cite"}, "parts": [{"caption": "x", "pages": [family]}]})
    )
    return runplan.load_run_plan(path)


def comparable(folder: Path):
    notebook = nbformat.read(folder / "notebook.ipynb", as_version=4)
    cells = [(cell.source, cell.get("execution_count"), cell.get("outputs")) for cell in notebook.cells]
    charts = {path.name: path.read_bytes() for path in sorted((folder / "chart-data").iterdir())}
    return cells, notebook.metadata["papermill"]["parameters"], notebook.metadata["book_run"], charts


def test_a_family_built_on_a_dask_cluster_equals_the_local_build(cluster, tmp_path, monkeypatch):
    from helpers import data

    address, worker_pids = cluster
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(build, "PRELOAD_FILE", tmp_path / "preload.json")
    family = plan(tmp_path)
    validated = build.validate_plan(family)
    checksums = data.dataset_checksums()

    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "dask-runs")
    on_cluster = build.run_pages(family, validated, checksums, scheduler=address)
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "local-runs")
    local = build.run_pages(family, validated, checksums, workers=2)

    assert [result.key for result in on_cluster] == [result.key for result in local]
    for remote_result, local_result in zip(on_cluster, local):
        assert comparable(remote_result.folder) == comparable(local_result.folder)
        where = json.loads((remote_result.folder / "run.json").read_text())["worker"]
        assert int(where.split(":")[1]) in worker_pids, f"{where} is not one of the Dask workers"
    assert comparable(on_cluster[0].folder)[2] == {"datasets_read": ["population"]}


def test_an_unreachable_scheduler_fails_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "RUNS_DIR", tmp_path / "runs")
    family = plan(tmp_path)
    with pytest.raises(BuildError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        build.run_pages(family, build.validate_plan(family), {}, scheduler="tcp://127.0.0.1:9")
