"""`data check` against corrupted copies of the data release (made in tmp_path)."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data"))
from support import shared_mirror  # noqa: E402

from helpers.data import cli as data_cli  # noqa: E402
from helpers.data.checks import check_release  # noqa: E402
from helpers.errors import DataError  # noqa: E402


def linked_mirror(dest: Path, copies: list[str] = ()) -> Path:
    """A release in tmp: symlinks to the real files, real copies of those the test corrupts."""
    src = shared_mirror()
    for p in src.rglob("*"):
        if not p.is_file():
            continue
        rel = p.relative_to(src)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if str(rel) in copies:
            target.write_bytes(p.read_bytes())
        else:
            target.symlink_to(p)
    return dest


def kinds(problems, dataset):
    return {p.kind for p in problems if p.dataset == dataset}


def messages(problems, dataset):
    return "\n".join(str(p) for p in problems if p.dataset == dataset)


POP = "sotkanet/population_2000_2022.csv"
UNEMP = "statfin/unemployment_monthly_2006_2020.csv"
SOTK = "sotkanet/indicators_2019_municipalities.csv"
DIAKVARS = "diak/variables.csv"


def test_flipped_byte_reports_checksum_and_type(tmp_path):
    m = linked_mirror(tmp_path, [POP])
    p = m / POP
    raw = bytearray(p.read_bytes())
    i = raw.index(b"\n320,7370,2018")  # Kemijärvi 2018 (a published value)
    raw[i + 5] ^= 0x40  # '7' -> 'w'
    p.write_bytes(bytes(raw))
    problems = check_release(m, ["municipalities", "population"])
    assert kinds(problems, "population") == {"checksum", "type"}
    text = messages(problems, "population")
    assert "sha256 mismatch (expected 8e97af4d" in text
    line = raw[: i + 1].count(b"\n") + 1
    assert f"line {line}, column 'primary.value'" in text
    assert "not of type integer" in text and "'w370'" in text


def test_truncated_file(tmp_path):
    m = linked_mirror(tmp_path, [UNEMP])
    p = m / UNEMP
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2 - 7])  # cut in the middle of a row
    problems = check_release(m, ["municipalities", "unemployment_monthly"])
    text = messages(problems, "unemployment_monthly")
    assert "checksum" in kinds(problems, "unemployment_monthly")
    assert "expected 55180 data rows; found" in text and "truncated" in text
    assert f"size expected {len(raw)} bytes" in text


def test_missing_column(tmp_path):
    m = linked_mirror(tmp_path, [UNEMP])
    p = m / UNEMP
    lines = p.read_text(encoding="utf-8").splitlines()
    # drop the 5th column (labour_force) everywhere; no field in this file contains a comma
    p.write_text(
        "\n".join(",".join(c for j, c in enumerate(ln.split(",")) if j != 4) for ln in lines) + "\n", encoding="utf-8"
    )
    problems = check_release(m, ["municipalities", "unemployment_monthly"])
    text = messages(problems, "unemployment_monthly")
    assert {"checksum", "header"} <= kinds(problems, "unemployment_monthly")
    assert "missing column(s) ['labour_force']" in text and "line 1" in text


def test_duplicated_key(tmp_path):
    m = linked_mirror(tmp_path, [POP])
    p = m / POP
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(10, lines[3])
    p.write_text("".join(lines), encoding="utf-8")
    problems = check_release(m, ["municipalities", "population"])
    assert kinds(problems, "population") >= {"checksum", "primary-key"}
    text = messages(problems, "population")
    assert "2 row(s) share a primary key ['municipality_code', 'year']" in text
    assert "at lines 4, 11" in text and "line 4, column 'municipality_code,year'" in text


def test_unknown_municipality_code(tmp_path):
    m = linked_mirror(tmp_path, [SOTK])
    p = m / SOTK
    text = p.read_text(encoding="utf-8")
    # Tarvasjoki (838) merged into Lieto in 2015: not a municipality of the file's 2025 division
    text = text.replace(",Tampere,837,KUNTA,", ",Tampere,838,KUNTA,", 1)
    p.write_text(text, encoding="utf-8")
    problems = check_release(m, ["municipalities", "sotkanet_2019"])
    assert kinds(problems, "sotkanet_2019") == {"checksum", "municipality"}
    msg = messages(problems, "sotkanet_2019")
    assert "unknown municipality code(s) (expected codes of the 2025 division" in msg
    assert "'838'" in msg and "column 'region.code'" in msg


def test_latin1_encoding(tmp_path):
    m = linked_mirror(tmp_path, [DIAKVARS])
    p = m / DIAKVARS
    text = p.read_text(encoding="utf-8")
    p.write_bytes(text.encode("latin-1", errors="replace"))
    problems = check_release(m, ["municipalities", "diak_variables"])
    assert kinds(problems, "diak_variables") == {"checksum", "encoding"}
    msg = messages(problems, "diak_variables")
    assert "not valid UTF-8" in msg and "latin-1" in msg and "line 2" in msg


def test_missing_file_and_all_failures_listed(tmp_path, capsys):
    m = linked_mirror(tmp_path, [POP, DIAKVARS])
    (m / "boundaries/municipalities_2017.topo.json").unlink()
    (m / DIAKVARS).write_bytes((m / DIAKVARS).read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    lines = (m / POP).read_text(encoding="utf-8").splitlines(keepends=True)
    (m / POP).write_text("".join(lines + [lines[1]]), encoding="utf-8")
    problems = check_release(m)
    assert kinds(problems, "boundaries_2017") == {"missing-file"}
    assert "file is missing" in messages(problems, "boundaries_2017")
    assert "encoding" in kinds(problems, "diak_variables") and "primary-key" in kinds(problems, "population")
    # the CLI lists them all on stderr and exits non-zero
    rc = data_cli.cmd_check(argparse.Namespace(mirror=str(m), dataset=None))
    out, err = capsys.readouterr()
    assert rc == 3
    assert "checked sotkanet_2019: ok" in out and "checked boundaries_2017: 1 problem(s)" in out
    assert "boundaries/municipalities_2017.topo.json" in err and "not valid UTF-8" in err and "primary key" in err
    assert "data check FAILED" in err


def test_fact_table_without_source(tmp_path, monkeypatch):
    # synthetic fact table in a synthetic repository: every row must cite a source
    import json

    from helpers.data import facts, paths

    repo = tmp_path / "repo"
    (repo / "data" / "facts").mkdir(parents=True)
    real = json.loads((paths.repo_root() / "data" / "datapackage.json").read_text(encoding="utf-8"))
    real["resources"] = [r for r in real["resources"] if r.get("x-location") != "repo"]
    (repo / "data" / "datapackage.json").write_text(json.dumps(real), encoding="utf-8")
    (repo / "data" / "references.bib").write_text("@misc{known2020,\n title={x}}\n", encoding="utf-8")
    table = repo / "data" / "facts" / "synthetic_facts.csv"
    table.write_text(
        "fact_id,value,source,bibkey\na,1,Synthetic source,known2020\nb,2,,known2020\nc,3,Other,unknown2021\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "repo_root", lambda: repo)
    changes = facts.update_fact_tables()
    assert changes == ["added synthetic_facts (facts/synthetic_facts.csv, 3 rows)"]
    problems = check_release(shared_mirror(), ["municipalities", "synthetic_facts"])
    found = {p.kind: str(p) for p in problems if p.dataset == "synthetic_facts"}
    assert "line 3, column 'source'" in found["constraint"] or "line 3, column 'source'" in found["source"]
    assert "1 row(s) without a source" in found["source"]
    assert "unknown2021" in found["bibkey"]
    # editing the table and re-running --update-facts refreshes the hash
    table.write_text(
        table.read_text(encoding="utf-8").replace(",,known2020", ",Fixed source,known2020"), encoding="utf-8"
    )
    assert "checksum" in {p.kind for p in check_release(shared_mirror(), ["synthetic_facts"])}
    assert facts.update_fact_tables() == ["updated synthetic_facts (facts/synthetic_facts.csv): hash"]
    assert {
        p.kind
        for p in check_release(shared_mirror(), ["municipalities", "synthetic_facts"])
        if p.dataset == "synthetic_facts"
    } == {"bibkey"}


def test_one_bad_code_cell_is_one_type_problem_not_a_flood_of_unknown_codes(tmp_path):
    m = linked_mirror(tmp_path, [POP])
    p = m / POP
    raw = bytearray(p.read_bytes())
    i = raw.index(b"\n320,7370,2018")  # Kemijärvi 2018
    raw[i + 1] ^= 0x40  # '3' -> 's' in the municipality code
    p.write_bytes(bytes(raw))
    problems = check_release(m, ["municipalities", "population"])
    assert kinds(problems, "population") == {"checksum", "type"}
    text = messages(problems, "population")
    assert "column 'municipality_code': 1 value(s) are not of type integer" in text and "'s20'" in text


# ------------------------------------------------------- what a release may say about itself


def _release_catalogue_changing(m: Path, rel: str, new_bytes: bytes) -> Path:
    """A datapackage.json in the release giving `rel` the hash of `new_bytes` (a planted catalogue)."""
    import hashlib
    import json

    from helpers.data import catalogue

    resources = [copy.deepcopy(r) for r in catalogue.package()["resources"] if r["path"] == rel]
    resources[0]["hash"] = "sha256:" + hashlib.sha256(new_bytes).hexdigest()
    resources[0]["bytes"] = len(new_bytes)
    path = m / "datapackage.json"
    path.write_text(json.dumps({"resources": resources}), encoding="utf-8")
    return path


@pytest.fixture
def trust_file(tmp_path, monkeypatch):
    from helpers.data import paths

    target = tmp_path / "trusted.json"
    monkeypatch.setattr(paths, "trust_file", lambda: target)
    return target


def test_a_planted_release_catalogue_cannot_override_the_project_checksums(tmp_path, trust_file, capsys):
    m = linked_mirror(tmp_path / "m", [DIAKVARS])
    changed = (m / DIAKVARS).read_bytes().replace(b"\n", b"\r\n", 1)  # a change that parses the same
    (m / DIAKVARS).write_bytes(changed)
    _release_catalogue_changing(m, DIAKVARS, changed)
    from helpers.cli import main

    code = main(["data", "check", "--mirror", str(m), "--dataset", "diak_variables"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "not a catalogue written by `data refresh`" in err and "Fix:" in err


def test_a_release_catalogue_edited_after_the_refresh_is_no_longer_trusted(tmp_path, trust_file):
    from helpers.data import catalogue

    m = linked_mirror(tmp_path / "m")
    planted = _release_catalogue_changing(m, DIAKVARS, (m / DIAKVARS).read_bytes())
    catalogue.trust_release_manifest(planted, m)
    assert check_release(m, ["diak_variables"]) == []  # as `data refresh` wrote it: trusted
    planted.write_text(planted.read_text().replace('"bytes": ', '"bytes": 1'), encoding="utf-8")
    with pytest.raises(DataError, match="not a catalogue written by `data refresh`"):
        check_release(m, ["diak_variables"])


@pytest.mark.parametrize("path", ["../evil/x.csv", "/etc/passwd", "diak/../../evil.csv", "C:/x.csv"])
def test_resource_paths_must_stay_inside_the_release(tmp_path, trust_file, path):
    import json

    from helpers.data import catalogue

    m = linked_mirror(tmp_path / "m")
    manifest = _release_catalogue_changing(m, DIAKVARS, (m / DIAKVARS).read_bytes())
    document = json.loads(manifest.read_text())
    document["resources"][0]["path"] = path
    manifest.write_text(json.dumps(document))
    catalogue.trust_release_manifest(manifest, m)  # even a trusted catalogue may not leave the release
    with pytest.raises(DataError, match="leaves its release"):
        check_release(m, ["diak_variables"])


def test_the_release_sha256sums_is_read_and_checked(tmp_path):
    m = linked_mirror(tmp_path / "m", ["SHA256SUMS", "README.md"])
    sums = m / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    # SYNTHETIC edits: one catalogued file listed with another hash, one line leaving the release,
    # one uncatalogued file (the release's README) listed with a hash it does not have
    lines = [("0" * 64 + "  ./diak/variables.csv") if line.endswith("./diak/variables.csv") else line for line in lines]
    lines += ["1" * 64 + "  ../outside.csv", "2" * 64 + "  ./README.md"]
    sums.write_text("\n".join(lines) + "\n")
    problems = [p for p in check_release(m) if p.kind == "sha256sums"]
    text = "\n".join(str(p) for p in problems)
    assert "diak/variables.csv listed with sha256 000000000000" in text and "not the one catalogued" in text
    assert "'../outside.csv', outside the release" in text
    assert "README.md does not match its listed sha256" in text
    assert len(problems) == 3, text
