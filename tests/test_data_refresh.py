"""`data refresh` against a loopback server: success, retries, and failures that must leave the
last good release byte-identical."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from fake_api import STATFIN_PATH, FakeAPI, Reply, install_sotkanet, install_statfin, jbytes  # noqa: E402
from support import shared_mirror, tree_digest  # noqa: E402

from helpers import data  # noqa: E402
from helpers.data import paths  # noqa: E402
from helpers.data.checks import check_release  # noqa: E402
from helpers.data.refresh import RefreshConfig, RefreshError, jsonstat2_records, pxweb_variables, refresh  # noqa: E402

INDICATORS = [5, 453, 1275, 181, 3562]  # plus 127 (population)


def config(api: FakeAPI, **kw) -> RefreshConfig:
    base = dict(
        years=[2019],
        population_years=[2009],
        unemployment_years=[2018],
        indicators=INDICATORS,
        sotkanet_base_url=api.base + "/rest/1.1",
        statfin_url=api.base + STATFIN_PATH,
        timeout=1.0,
        retries=2,
        backoff=0.01,
    )
    base.update(kw)
    return RefreshConfig(**base)


@pytest.fixture(scope="module")
def api():
    mirror = shared_mirror()
    with FakeAPI() as server:
        install_sotkanet(server, mirror)
        install_statfin(server, mirror)
        yield server


@pytest.fixture(scope="module")
def good_release(api, tmp_path_factory):
    """A release produced by a successful refresh; failure tests try to overwrite it."""
    dest = tmp_path_factory.mktemp("release") / "data-release"
    mp = pytest.MonkeyPatch()
    mp.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))
    log: list[str] = []
    refresh(config(api), dest=dest, log=log.append)
    mp.undo()
    return dest, tree_digest(dest), log


@pytest.fixture(autouse=True)
def _mirror(monkeypatch):
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))
    api_scripts_reset = []
    yield api_scripts_reset


@pytest.fixture(autouse=True)
def _reset_scripts(api):
    api.scripts.clear()
    yield
    api.scripts.clear()


def test_refresh_writes_a_valid_release_with_published_values(good_release, monkeypatch):
    dest, digest, log = good_release
    manifest = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    ids = {r["name"]: r for r in manifest["resources"]}
    assert set(ids) == {"sotkanet_2019", "population", "unemployment_monthly"}
    for r in ids.values():
        assert r["hash"].startswith("sha256:") and r["x-retrieved"].endswith("Z") and r["sources"]
    assert ids["sotkanet_2019"]["sources"][0]["path"].endswith("/rest/1.1/json?indicator=5&years=2019&genders=total")
    assert ids["unemployment_monthly"]["x-query"][0]["response"] == {"format": "json-stat2"}
    assert any("retry" not in line and "Sotkanet indicator 5" in line for line in log)
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(dest))
    assert check_release(dest, [*ids, "municipalities", "diak_indices"]) == []
    s = data.load("sotkanet_2019")
    assert s.loc[(s.indicator_id == 5) & (s.municipality_code == "837"), "value"].tolist() == [12.3]
    assert set(s.indicator_id) == set(INDICATORS)
    assert s.loc[s.indicator_id == 1275, "value"].notna().sum() == 143  # suppressed stay NaN
    assert s.municipality_code.nunique() == 308  # the AVI region (internal id 833) in the answer was dropped
    u = data.load("unemployment_monthly")
    assert u.loc[(u.municipality_code == "837") & (u.month == "2018-12"), "unemployed"].tolist() == [12993]
    assert sorted(u["year"].unique()) == [2018]
    p = data.load("population")
    assert p["year"].unique().tolist() == [2009] and p["municipality_code"].str.fullmatch(r"\d{3}").all()
    # KUNTA regions only (466 regions in the recorded answer): the 317 municipalities of the 2015
    # division, to which Sotkanet had re-based the series when the sample was recorded
    assert len(p) == 317 and ids["population"]["x-division"] == 2015
    assert ids["unemployment_monthly"]["x-division"] == 2020
    assert data.load("diak_indices")["index_value"].notna().all()  # not fetched: linked from the mirror
    data.clear_cache()


def test_mirror_path_falls_back_to_the_local_release(good_release, monkeypatch):
    dest, _, _ = good_release
    monkeypatch.delenv("BOOK_DATA_MIRROR")
    monkeypatch.setattr(paths, "local_release_dir", lambda: dest)
    assert data.mirror_path() == dest
    assert (
        data.dataset_checksums()["population"]
        == json.loads((dest / "datapackage.json").read_text())["resources"][1]["hash"][7:]
    )
    data.clear_cache()


def test_http_500_then_success(api, tmp_path):
    api.script("GET", "/rest/1.1/regions", [Reply(500, b"oops"), None])
    before = api.hits.get(("GET", "/rest/1.1/regions"), 0)
    log: list[str] = []
    dest = tmp_path / "rel"
    refresh(config(api, skip={"unemployment"}, indicators=[5]), dest=dest, log=log.append)
    assert api.hits[("GET", "/rest/1.1/regions")] == before + 2
    assert any("retry 1/2 for Sotkanet regions" in line and "HTTP 500" in line for line in log)
    assert (dest / "sotkanet/indicators_2019_municipalities.csv").is_file()


def _assert_fails_and_keeps(good_release, api, match, **kw):
    dest, digest, _ = good_release
    with pytest.raises(RefreshError, match=match) as exc:
        refresh(config(api, **kw), dest=dest, log=lambda m: None)
    assert tree_digest(dest) == digest  # the last good release is byte-identical
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".data-release")]  # no temp left
    return exc.value


def test_permanent_http_500(good_release, api):
    api.script("GET", "/rest/1.1/json", [Reply(500, b"down")])
    err = _assert_fails_and_keeps(good_release, api, r"HTTP 500")
    assert "after 3 attempt(s)" in str(err) and "last good data release was not changed" in str(err)


def test_timeout(good_release, api):
    api.script("GET", "/rest/1.1/indicators/453", [Reply(200, b"{}", delay=0.6)])
    err = _assert_fails_and_keeps(good_release, api, r"timed out", timeout=0.2, retries=1)
    assert "Sotkanet indicator 453 metadata" in str(err)


def test_truncated_json(good_release, api):
    full = jbytes([{"indicator": 5, "region": 378, "year": 2019, "gender": "total", "value": 12.3}])
    api.script("GET", "/rest/1.1/json", [Reply(200, full[: len(full) // 2])])
    err = _assert_fails_and_keeps(good_release, api, r"invalid JSON")
    assert "Sotkanet indicator 5" in str(err)


def test_changed_schema_missing_field(good_release, api):
    # SYNTHETIC: an answer whose objects lack "value"
    api.script(
        "GET",
        "/rest/1.1/json",
        [Reply(200, jbytes([{"indicator": 5, "region": 378, "year": 2019, "gender": "total"}]))],
    )
    err = _assert_fails_and_keeps(good_release, api, r"lacks field\(s\) \['value'\]")
    assert "format changed" in str(err)


def test_statfin_incomplete_data_fails_validation(good_release, api):
    # SYNTHETIC: StatFin answers with the labour force missing everywhere (schema says required)
    original = api.routes[("POST", STATFIN_PATH)]

    def without_labour_force(q, body):
        reply = original(q, body)
        doc = json.loads(reply.body)
        t = doc["size"][2]
        doc["value"] = [None if i % t == 1 else v for i, v in enumerate(doc["value"])]
        return Reply(200, jbytes(doc))

    api.routes[("POST", STATFIN_PATH)] = without_labour_force
    try:
        err = _assert_fails_and_keeps(good_release, api, r"failed validation")
    finally:
        api.routes[("POST", STATFIN_PATH)] = original
    assert "labour_force" in str(err) and "required" in str(err)


def test_http_404_fails_without_retrying(good_release, api):
    before = api.hits.get(("GET", "/nowhere/regions"), 0)
    _assert_fails_and_keeps(good_release, api, r"HTTP 404", sotkanet_base_url=api.base + "/nowhere")
    assert api.hits[("GET", "/nowhere/regions")] == before + 1


def test_jsonstat2_and_pxweb_parsers():
    # SYNTHETIC JSON-stat 2.0 document, sparse values as a dict
    doc = {
        "id": ["Alue", "Kuukausi"],
        "size": [2, 2],
        "dimension": {
            "Alue": {"category": {"index": {"KU837": 0, "KU091": 1}}},
            "Kuukausi": {"category": {"index": ["2018M11", "2018M12"]}},
        },
        "value": {"1": 12993, "2": 5},
    }
    recs = jsonstat2_records(doc, "t")
    assert recs[1] == {"Alue": "KU837", "Kuukausi": "2018M12", "value": 12993}
    assert recs[0]["value"] is None and recs[2] == {"Alue": "KU091", "Kuukausi": "2018M11", "value": 5}
    with pytest.raises(RefreshError, match="do not match"):
        jsonstat2_records({**doc, "size": [2, 3]}, "t")
    # the real recorded PxWeb v1 metadata sample parses
    meta = json.loads(
        (shared_mirror() / "api-samples/statfin_pxweb_v1_table_metadata.json").read_text(encoding="utf-8")
    )
    variables = pxweb_variables(meta, "sample")
    assert variables["Alue 2017"]["020"] == "Akaa" and variables["Alue 2017"]["SSS"] == "KOKO MAA"


# ------------------------------------------------------------------ deadlines, sizes, parse faults


def test_a_trickling_server_is_cut_off_at_the_request_deadline(good_release, api):
    # SYNTHETIC: a valid answer sent one byte every 0.2 s (12 s in all); each read is quick, the whole is not
    api.script("GET", "/rest/1.1/regions", [Reply(200, jbytes([{"id": 1}] * 10), trickle=0.2)])
    started = time.monotonic()
    err = _assert_fails_and_keeps(good_release, api, r"timed out after 1 s", timeout=1.0, retries=0)
    assert time.monotonic() - started < 3.0
    assert "Sotkanet regions" in str(err) and "bytes had arrived" in str(err)


def test_the_whole_refresh_has_a_deadline_across_retries(good_release, api):
    api.script("GET", "/rest/1.1/regions", [Reply(500, b"down", delay=0.3)])
    started = time.monotonic()
    with pytest.raises(RefreshError, match=r"deadline of 1\.5 s"):
        refresh(config(api, retries=100, backoff=0.05, deadline=1.5), dest=good_release[0], log=lambda m: None)
    assert time.monotonic() - started < 3.0
    assert tree_digest(good_release[0]) == good_release[1]


@pytest.mark.parametrize("content_length", [True, False], ids=["announced", "streamed"])
def test_an_answer_over_the_dataset_limit_is_refused_while_streaming(good_release, api, content_length):
    # SYNTHETIC: 3 MB of padding where a region list belongs; the limit for regions is set to 1 MB
    body = b"[" + b" " * (3 * 1024 * 1024) + b"]"
    api.script("GET", "/rest/1.1/regions", [Reply(200, body, content_length=content_length)])
    limits = {"regions": 1.0, "metadata": 8.0, "sotkanet": 64.0, "population": 64.0, "unemployment": 256.0}
    err = _assert_fails_and_keeps(good_release, api, r"more than the 1 MB accepted for regions", max_response_mb=limits)
    assert ("announced" in str(err)) == content_length


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,  # nested too deeply for Python's JSON reader (RecursionError)
        jbytes([{"id": "not-a-number", "code": "091", "category": "KUNTA", "title": {"fi": "x"}}]),
        jbytes([{"id": 1, "code": "091", "category": "KUNTA", "title": "a string, not an object"}]),
    ],
    ids=["deep-nesting", "text-for-a-number", "text-for-an-object"],
)
def test_unreadable_answers_end_in_the_refresh_error(good_release, api, body):
    # SYNTHETIC answers of the right JSON shape (or none) with contents the reader cannot use
    api.script("GET", "/rest/1.1/regions", [Reply(200, body)])
    err = _assert_fails_and_keeps(good_release, api, r"Sotkanet regions", retries=0)
    assert "last good data release was not changed" in str(err)


def test_sigterm_removes_the_temporary_release_like_ctrl_c(good_release, api, tmp_path):
    # the regions answer takes 30 s; SIGTERM arrives while the refresh waits for it
    api.script("GET", "/rest/1.1/regions", [Reply(200, b"[]", delay=30)])
    dest = tmp_path / "release"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpers",
            "data",
            "refresh",
            "--dest",
            str(dest),
            "--base-url",
            api.base + "/rest/1.1",
            "--statfin-url",
            api.base + STATFIN_PATH,
            "--timeout",
            "60",
            "--retries",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".release.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".release.tmp-*")), "the refresh never started"
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 143, stderr
    assert "terminated" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.iterdir()), "SIGTERM must leave no temporary release behind"
