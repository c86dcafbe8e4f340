"""Every fact table row is cited; every citation resolves; the tables keep their conventions."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from test_facts_support import (
    BIB_PATH,
    FACT_TABLES,
    FACTS_DIR,
    bib_entries,
    bib_keys,
    read_table,
    seed_text,
)


def test_every_fact_table_is_listed_and_none_is_unexpected():
    on_disk = sorted(p.stem for p in FACTS_DIR.glob("*.csv"))
    assert on_disk == sorted(FACT_TABLES)


@pytest.mark.parametrize("table_id", FACT_TABLES)
def test_every_row_has_a_source_and_bibkeys_that_exist(table_id):
    keys = set(bib_keys())
    rows = read_table(table_id)
    assert rows, f"{table_id} is empty"
    for line, row in enumerate(rows, start=2):
        assert (row.get("source") or "").strip(), f"{table_id}.csv line {line}: empty source"
        cited = [k.strip() for k in (row.get("bibkey") or "").split(";")]
        assert cited and all(cited), f"{table_id}.csv line {line}: empty bibkey"
        unknown = [k for k in cited if k not in keys]
        assert not unknown, f"{table_id}.csv line {line}: bibkey(s) {unknown} not in {BIB_PATH.name}"


@pytest.mark.parametrize("table_id", FACT_TABLES)
def test_rows_are_rectangular_and_ids_unique(table_id):
    text = (FACTS_DIR / f"{table_id}.csv").read_text(encoding="utf-8")
    assert "\r" not in text and text.endswith("\n"), "UTF-8, LF line ends, final newline"
    rows = read_table(table_id)
    assert all(None not in row for row in rows), "a row has more cells than the header"
    first = next(iter(rows[0]))
    if first.endswith("_id") or first == "municipality_code":
        counts = Counter(row[first] for row in rows)
        assert max(counts.values()) == 1, f"duplicate {first}: {[k for k, v in counts.items() if v > 1]}"


def test_bibliography_keys_are_unique_and_entries_complete():
    keys = bib_keys()
    assert len(keys) == len(set(keys)), [k for k, v in Counter(keys).items() if v > 1]
    for key, entry in bib_entries().items():
        assert re.search(r"^\s*title\s*=", entry, flags=re.M), f"{key}: no title"
        assert re.search(r"^\s*author\s*=", entry, flags=re.M), f"{key}: no author/organisation"
        assert entry.count("{") == entry.count("}"), f"{key}: unbalanced braces"
    used = {k for t in FACT_TABLES for row in read_table(t) for k in row["bibkey"].split(";")}
    assert used <= set(keys)


def test_bibliography_urls_are_the_publishers_addresses_from_the_record():
    from test_facts_support import public_record_path

    record = public_record_path().read_text(encoding="utf-8")
    for key, entry in bib_entries().items():
        for url in re.findall(r"url\s*=\s*\{([^}]*)\}", entry):
            if "github.com/DiakGit" in url:  # documented in the data release README, not the sheet
                continue
            assert url in record, f"{key}: url {url} does not appear in the facts sheet"


def test_missing_figures_are_empty_not_zero():
    # The final report's outcome figures are not public: the row exists, its value is empty.
    facts = {row["fact_id"]: row for row in read_table("pilot_facts")}
    assert facts["final_report_outcomes"]["value"] == ""
    assert "not" in facts["final_report_outcomes"]["note"].lower()
    for row in read_table("national_statistics"):
        assert row["value"] not in ("", "0"), f"{row['year']} {row['measure']}: absent figures are absent rows"
    assert not {r["year"] for r in read_table("national_statistics")} & {"2015", "2016"}


def test_glossary_has_finnish_and_english_for_every_term():
    rows = read_table("glossary")
    assert len(rows) >= 20
    for row in rows:
        assert row["fi"].strip() and row["en"].strip() and row["definition_en"].strip(), row["term_id"]
    # The terms the issue asks for are all there.
    ids = {row["term_id"] for row in rows}
    assert {
        "toimeentulotuki", "perustoimeentulotuki", "taydentava_toimeentulotuki", "ehkaiseva_toimeentulotuki",
        "aikuissosiaalityo", "sosiaalityontekija", "sosiaaliohjaaja", "etuuskasittelija",
        "osallistava_sosiaaliturva", "asukastupa", "avain", "kela", "thl", "stm", "kuntaliitto",
        "pitkaaikaistyoton", "yhteistoiminta_alue", "huono_osaisuus",
    } <= ids  # fmt: skip


def test_swedish_terms_marked_as_attested_occur_in_the_swedish_seed():
    seed = seed_text("000").lower()
    attested = [row for row in read_table("glossary") if row["sv_attested"]]
    assert len(attested) >= 10
    for row in attested:
        assert row["sv_attested"].lower() in seed, f"{row['term_id']}: {row['sv_attested']!r} not in seed 000"
        assert row["sv_attested"].lower() in row["sv"].lower(), (
            f"{row['term_id']}: sv cell differs from the attested form"
        )
    # Unconfirmed Swedish terms are left empty, and the note says why.
    for row in read_table("glossary"):
        if not row["sv"]:
            assert "empty" in row["note"].lower(), row["term_id"]


def test_survey_figures_also_match_the_finnish_seed():
    seed = seed_text("004")
    findings = {row["finding_id"]: row["value"] for row in read_table("survey_findings")}
    assert f"{findings['respondents']}:sta" in seed
    assert f"{findings['population_coverage_pct'].replace('.', ',')} %" in seed  # Finnish decimal comma
    for finding_id in (
        "decisions_growth_pct",
        "supplementary_by_benefit_handlers_pct",
        "preventive_by_benefit_handlers_pct",
        "preventive_by_social_workers_instructors_pct",
    ):
        assert re.search(rf"(?<![\d,]){findings[finding_id]} %", seed), finding_id
    assert "maalis-huhtikuussa 2019" in seed and findings["fieldwork_period"] == "2019-03/2019-04"


def test_pilot_municipality_names_match_the_seed_and_the_data_layer():
    seed = seed_text("000")
    rows = read_table("pilot_municipalities")
    participants = re.search(r"I försöket har (.+?) deltagit", seed).group(1)
    assert sorted(re.split(r", | och ", participants)) == sorted(r["name_sv"] for r in rows)
    from helpers.data.municipalities import pilot_municipalities

    assert {r["municipality_code"]: r["name_fi"] for r in rows} == pilot_municipalities()
    assert all(re.fullmatch(r"\d{3}", r["municipality_code"]) for r in rows)


def test_facts_readme_documents_every_table():
    readme = (FACTS_DIR / "README.md").read_text(encoding="utf-8")
    for table_id in FACT_TABLES:
        assert f"`{table_id}.csv`" in readme, table_id


def test_no_project_internal_document_is_cited():
    # The facts sheet is the project's own transcription, not a publication: every fact must be
    # cited with the publication it comes from.
    assert "facts_sheet" not in bib_keys()
    for key, entry in bib_entries().items():
        assert "project team" not in entry.lower(), key
    for table_id in FACT_TABLES:
        for row in read_table(table_id):
            assert "facts sheet" not in row["source"].lower(), (table_id, row["source"])
    notebooks = FACTS_DIR.parents[1] / "notebooks"
    for path in sorted(notebooks.glob("*.ipynb")):
        assert "facts_sheet" not in path.read_text(encoding="utf-8"), path.name


def test_bibliography_notes_are_written_for_readers():
    # Notes appear on the book's bibliography page; remarks for the project are % comments.
    internal = ("seed", "facts sheet", "the record", "not recorded", "public-record")
    notes = {
        key: re.findall(r"^\s*note\s*=\s*\{(.*)\},?\s*$", entry, flags=re.M) for key, entry in bib_entries().items()
    }
    assert any(notes.values())
    for key, found in notes.items():
        for note in found:
            assert not [w for w in internal if w in note.lower()], (key, note)
