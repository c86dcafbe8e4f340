"""data/datapackage.json: complete Frictionless entries that agree with the release and the repo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import shared_mirror  # noqa: E402

from helpers import data  # noqa: E402
from helpers.data import catalogue, facts, paths  # noqa: E402
from helpers.data.checks import check_release  # noqa: E402

PACKAGE = json.loads(paths.catalogue_path().read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _mirror(monkeypatch):
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))


def test_package_level_fields():
    assert {"name", "title", "licenses", "resources"} <= set(PACKAGE)
    names = [r["name"] for r in PACKAGE["resources"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("res", PACKAGE["resources"], ids=lambda r: r["name"])
def test_resource_entries_are_complete(res):
    for key in (
        "name",
        "title",
        "description",
        "path",
        "format",
        "encoding",
        "hash",
        "bytes",
        "sources",
        "licenses",
        "x-attribution",
        "x-location",
    ):
        assert res.get(key) not in (None, "", []), key
    assert res["hash"].startswith("sha256:") and len(res["hash"]) == 71
    assert all(s.get("title") and s.get("path") for s in res["sources"])
    if res["format"] == "csv":
        fields = res["schema"]["fields"]
        assert all(
            f.get("name") and f.get("type") in ("string", "integer", "number") and f.get("description") for f in fields
        )
    if res["x-location"] == "mirror" and res.get("x-role") != "api-sample":
        assert res.get("x-compilation"), "mirror resources name the compilation they come from"


def test_mirror_hashes_agree_with_sha256sums():
    sums = {}
    for line in (shared_mirror() / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split(maxsplit=1)
        sums[rel.removeprefix("./")] = digest
    mirror_res = [r for r in PACKAGE["resources"] if r["x-location"] == "mirror"]
    assert {r["path"] for r in mirror_res} == set(sums)  # every file of the release is catalogued
    for r in mirror_res:
        assert r["hash"] == "sha256:" + sums[r["path"]], r["name"]
        assert r["bytes"] == (shared_mirror() / r["path"]).stat().st_size


def test_mirror_resources_pass_every_check():
    mirror_ids = [r["name"] for r in PACKAGE["resources"] if r["x-location"] == "mirror"]
    assert check_release(shared_mirror(), mirror_ids) == []


def test_fact_tables_are_registered_current_and_cited():
    files = sorted((paths.repo_root() / "data" / "facts").glob("*.csv"))
    assert files, "data/facts/*.csv expected"
    repo = {r["path"]: r for r in PACKAGE["resources"] if r["x-location"] == "repo"}
    assert {f"facts/{f.name}" for f in files} == set(repo), "run `python -m helpers data catalogue --update-facts`"
    assert facts.update_fact_tables(write=False) == [], (
        "catalogue out of date: run `python -m helpers data catalogue --update-facts`"
    )
    for res in repo.values():
        df = data.load(res["name"])
        assert len(df) == res["x-rows"]
        assert {"source", "bibkey"} <= set(df.columns)
        assert (df["source"].astype(str).str.strip() != "").all()
    problems = check_release(shared_mirror(), ["municipalities", *[r["name"] for r in repo.values()]])
    assert problems == [], "\n".join(map(str, problems))


def test_catalogue_table_for_the_sources_page():
    t = data.catalogue_table()
    assert not t["id"].str.startswith("api_sample").any()
    assert t.set_index("id").loc["unemployment_monthly", "attribution"].startswith("Tilastokeskus / Statistics Finland")
    assert (t["sha256_short"].str.len() == 12).all()
    assert catalogue.describe("population").set_index("name").loc["population", "unit"] == "persons"
