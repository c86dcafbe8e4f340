"""helpers.data loading: published values read through the loaders, types, caching, catalogue."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import copy_mirror, shared_mirror  # noqa: E402

from helpers import data  # noqa: E402
from helpers.errors import DataError, MirrorNotFound, ParameterError  # noqa: E402


@pytest.fixture(autouse=True)
def _mirror(monkeypatch):
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(shared_mirror()))


def test_published_sotkanet_value_tampere_2019():
    df = data.load("sotkanet_2019")
    row = df[(df.indicator_id == 5) & (df.municipality_code == "837") & (df.year == 2019)]
    assert len(row) == 1
    assert row["value"].iloc[0] == pytest.approx(12.3)
    assert row["indicator"].iloc[0] == "social_assistance_recipients_25_64_pct"


def test_published_population_kemijarvi_2018():
    df = data.load("population")
    row = df[(df.municipality_code == "320") & (df.year == 2018)]
    assert row["population"].tolist() == [7370]


def test_published_unemployed_tampere_december_2018():
    df = data.load("unemployment_monthly")
    row = df[(df.municipality_code == "837") & (df.month == "2018-12")]
    assert row["unemployed"].tolist() == [12993]
    assert row["year"].tolist() == [2018]


@pytest.mark.parametrize(
    "dataset", ["sotkanet_2019", "population", "unemployment_monthly", "diak_indices", "municipalities"]
)
def test_codes_are_three_digit_strings(dataset):
    codes = data.load(dataset)["municipality_code"]
    assert pd.api.types.is_string_dtype(codes)
    assert codes.str.fullmatch(r"\d{3}").all()
    assert "091" in set(codes)  # Helsinki keeps its leading zero


def test_suppressed_values_are_nan_not_zero():
    s = data.load("sotkanet_2019")
    long_term_youth = s[s.indicator_id == 1275]
    # 143 published values; the other municipalities are suppressed (absent from Sotkanet's answer)
    assert long_term_youth["value"].notna().sum() == 143
    assert long_term_youth["value"].isna().sum() == 308 - 143
    assert (long_term_youth["value"].dropna() > 0).all()
    assert len(s) == 15 * 308
    u = data.load("unemployment_monthly")
    assert u["unemployed"].isna().sum() == 640  # empty cells in the file
    assert u["open_vacancies"].isna().sum() > 0
    # empty cells stay missing and published zeros stay zeros, cell for cell as in the file
    raw = pd.read_csv(
        shared_mirror() / "statfin" / "unemployment_monthly_2006_2020.csv", dtype=str, keep_default_na=False
    )
    assert u["unemployed"].isna().sum() == (raw["unemployed"] == "").sum()
    assert (u["unemployed"] == 0).sum() == (raw["unemployed"] == "0").sum()


def test_diak_is_labelled_an_index():
    d = data.load("diak_indices")
    assert set(
        [
            "long_term_social_assistance_25_64",
            "long_term_social_assistance_18_24",
            "supplementary_social_assistance",
            "long_term_unemployment",
        ]
    ) <= set(d["variable"])
    assert d["variable"].str.fullmatch(r"[a-z0-9_]+").all()
    assert (d.loc[d.variable == "long_term_unemployment", "variable_fi"] == "Pitkäaikaistyöttömyys").all()
    doc = data.describe("diak_indices").set_index("name")
    assert doc.loc["index_value", "unit"] == "index, median municipality = 100"
    assert "INDEX" in doc.loc["index_value", "description"]
    cat = data.catalogue_table().set_index("id")
    assert "index" in data.describe("diak_indices").attrs["title"].lower()
    assert "Diak" in cat.loc["diak_indices", "attribution"]
    # median municipality = 100: per variable and year the median index is close to 100
    med = d.groupby(["variable", "year_mid"])["index_value"].median()
    assert med.loc[("long_term_unemployment", 2019)] == pytest.approx(100, abs=5)


def test_municipality_reference_years_and_counts():
    ref = data.load("municipalities")
    counts = ref.groupby("year").size()
    assert list(counts.index) == list(range(2013, 2027))
    assert counts[2018] == 311 and counts[2024] == 309 and counts[2021] == 309
    tampere = ref[(ref.municipality_code == "837") & (ref.year == 2019)].iloc[0]
    assert (tampere.name_sv, tampere.region_fi, tampere.urban_rural_en) == (
        "Tammerfors",
        "Pirkanmaa",
        "Urban municipalities",
    )


def test_describe_and_catalogue_table():
    doc = data.describe("unemployment_monthly")
    assert list(doc.columns) == ["name", "type", "description", "unit"]
    assert list(doc["name"]) == list(data.load("unemployment_monthly").columns)
    raw = data.describe("sotkanet_2019", raw=True)
    assert "region.code" in set(raw["name"])
    cat = data.catalogue_table()
    assert {"id", "title", "attribution", "licence", "official_source", "file", "rows", "sha256_short"} <= set(
        cat.columns
    )
    row = cat.set_index("id").loc["sotkanet_2019"]
    assert row.rows == 4350 and row.attribution == "THL, Sotkanet.fi" and "CC-BY-4.0" in row.licence
    assert row.official_source.endswith("/rest/1.1/json?indicator=5&years=2019&genders=total")
    with pytest.raises(ParameterError, match="sotkanet_2019"):
        data.describe("sotkanet_2091")


def test_every_table_documents_its_columns():
    for rid in ["sotkanet_2019", "population", "unemployment_monthly", "diak_indices", "municipalities"]:
        doc = data.describe(rid)
        assert list(doc["name"]) == list(data.load(rid).columns), rid
        assert (doc["description"] != "").all()


def test_dataset_checksums_match_sha256sums():
    sums = {}
    for line in (shared_mirror() / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split(maxsplit=1)
        sums[rel.removeprefix("./")] = digest
    got = data.dataset_checksums()
    assert got["sotkanet_2019"] == sums["sotkanet/indicators_2019_municipalities.csv"]
    assert got["diak_indices"] == sums["diak/disadvantage_index_2011_2020.csv"]
    assert got["boundaries_2021"] == sums["boundaries/municipalities_2021.topo.json"]


def test_topojson():
    t17 = data.load_topojson("boundaries_2017")
    geoms = t17["objects"]["kuntarajat"]["geometries"]
    assert len(geoms) == 311 and {"code", "name"} <= set(geoms[0]["properties"])
    t21 = data.load_topojson("boundaries_2021")
    assert len(t21["objects"]["munis"]["geometries"]) == 309
    t21["objects"].clear()  # callers get their own copy
    assert "munis" in data.load_topojson("boundaries_2021")["objects"]
    with pytest.raises(ParameterError, match="boundaries_2017"):
        data.load_topojson("population")


def test_loaded_frames_are_independent_copies():
    a = data.load("population")
    a["population"] = 0
    a["extra"] = 1
    b = data.load("population")
    assert "extra" not in b.columns and b["population"].max() > 0


def test_disk_cache_is_keyed_on_checksum_and_used(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_DATA_CACHE", str(tmp_path / "parsed"))
    data.clear_cache()
    data.load("population")
    pickles = list((tmp_path / "parsed").glob("population-*.pkl"))
    assert len(pickles) == 1
    sha = data.dataset_checksums()["population"]
    assert pickles[0].name.startswith(f"population-{sha[:16]}-")
    data.clear_cache()
    t0 = time.perf_counter()
    df = data.load("population")
    assert time.perf_counter() - t0 < 0.5 and len(df) == 7107
    data.clear_cache()


def test_unknown_dataset_and_missing_mirror(monkeypatch, tmp_path):
    with pytest.raises(ParameterError, match="Nearest: population"):
        data.load("populaton")
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(MirrorNotFound, match="BOOK_DATA_MIRROR"):
        data.mirror_path()
    monkeypatch.delenv("BOOK_DATA_MIRROR")
    monkeypatch.setattr("helpers.data.paths.local_release_dir", lambda: tmp_path / "no-release")
    with pytest.raises(MirrorNotFound, match="data refresh"):
        data.load("population")


def test_load_refuses_a_corrupted_file(tmp_path, monkeypatch):
    mirror = copy_mirror(tmp_path / "m", ["sotkanet/population_2000_2022.csv"])
    p = mirror / "sotkanet/population_2000_2022.csv"
    p.write_bytes(p.read_bytes().replace(b"7370", b"7371", 1))
    monkeypatch.setenv("BOOK_DATA_MIRROR", str(mirror))
    with pytest.raises(DataError, match="checksum mismatch.*expected sha256 8e97af4d"):
        data.load("population")
    with pytest.raises(DataError, match="missing from the data release"):
        data.load("diak_indices")


def test_benchmark_load_all_in_fresh_process():
    code = (
        "import time, json; t=time.perf_counter(); from helpers import data; t1=time.perf_counter();"
        "r=data.benchmark_load_all(); print(json.dumps({'import': t1-t, 'total': time.perf_counter()-t1,"
        " 'rows': {k: v[0] for k, v in r.items()}}))"
    )
    import json

    env = {**__import__("os").environ, "BOOK_DATA_MIRROR": str(shared_mirror())}
    data.benchmark_load_all()  # warms the on-disk parsed cache the fresh process will use
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    assert result["rows"]["sotkanet_2019"] == 4620 and result["rows"]["boundaries_2017"] == 311
    assert result["total"] < 2.0, result


def test_release2_families_with_children_tampere_2019():
    # The release README's spot value: 3,488 of 21,575 families with children (16.2 %).
    df = data.load("families_social_assistance")
    row = df[(df.municipality_code == "837") & (df.year == 2019)].iloc[0]
    assert row["families_receiving_social_assistance"] == 3488
    assert row["families_with_children"] == 21575
    assert row["families_social_assistance_pct"] == pytest.approx(16.2, abs=0.05)
    assert df["municipality_code"].nunique() == 309


def test_release2_families_suppressed_counts_stay_gaps():
    df = data.load("families_social_assistance")
    suppressed = df["families_receiving_social_assistance"].isna()
    assert suppressed.any()
    assert df.loc[suppressed, "families_social_assistance_pct"].isna().all()
    assert (df["year"].min(), df["year"].max()) == (1990, 2021)


def test_release2_long_run_series_tampere_2010():
    # The release README's spot values: Tampere 2010, 493 = 9.2, 451 = 153, 3071 = 6.0.
    df = data.load("social_assistance_long_run")
    rows = df[(df.municipality_code == "837") & (df.year == 2010)].set_index("indicator_id")["value"]
    assert rows[493] == pytest.approx(9.2)
    assert rows[451] == pytest.approx(153)
    assert rows[3071] == pytest.approx(6.0)
    assert df["municipality_code"].nunique() == 320
