"""Shared helpers for the fact-table and survey tests, plus tests of the helpers themselves.

The facts sheet (PUBLIC-RECORD.md) and the seeds live beside the data release in the shared
folder; they are found from BOOK_DATA_MIRROR (its parent holds facts/ and seeds/), or from
BOOK_PUBLIC_RECORD / BOOK_SEEDS_DIR. The tests fail (never skip) when they cannot be found,
because a transcription check that silently does not run proves nothing.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from helpers.charts.render import spec_nodes  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FACTS_DIR = REPO / "data" / "facts"
BIB_PATH = REPO / "data" / "references.bib"

FACT_TABLES = (
    "pilot_municipalities",
    "pilot_facts",
    "kela_notifications",
    "survey_findings",
    "survey_qualitative",
    "related_evidence",
    "national_statistics",
    "glossary",
)


# --- locating the shared documents -----------------------------------------------------------


def _shared_root() -> Path | None:
    mirror = os.environ.get("BOOK_DATA_MIRROR", "")
    return Path(mirror).resolve().parent if mirror else None


def public_record_path() -> Path:
    configured = os.environ.get("BOOK_PUBLIC_RECORD")
    root = _shared_root()
    path = Path(configured) if configured else (root / "facts" / "PUBLIC-RECORD.md" if root else None)
    if path is None or not path.is_file():
        pytest.fail(
            f"Facts sheet not found (looked at {path}). Fix: set BOOK_DATA_MIRROR=/work/shared/data "
            "(the sheet is ../facts/PUBLIC-RECORD.md beside it) or BOOK_PUBLIC_RECORD=<path>."
        )
    return path


def seed_text(prefix: str) -> str:
    """Text of the seed whose file name starts with `prefix` ('000' or '004')."""
    configured = os.environ.get("BOOK_SEEDS_DIR")
    root = _shared_root()
    folder = Path(configured) if configured else (root / "seeds" if root else None)
    matches = sorted(folder.glob(f"{prefix}_*.txt")) if folder and folder.is_dir() else []
    if len(matches) != 1:
        pytest.fail(
            f"Seed {prefix} not found in {folder}. Fix: set BOOK_DATA_MIRROR=/work/shared/data "
            "(seeds are in ../seeds/) or BOOK_SEEDS_DIR=<folder>."
        )
    return matches[0].read_text(encoding="utf-8")


# --- reading the repository files independently of the code under test -----------------------


def read_table(table_id: str) -> list[dict[str, str]]:
    """Rows of data/facts/<id>.csv as plain strings, read with the csv module (not the helpers)."""
    with open(FACTS_DIR / f"{table_id}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def bib_keys() -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", BIB_PATH.read_text(encoding="utf-8"), flags=re.M)


def bib_entries() -> dict[str, str]:
    text = BIB_PATH.read_text(encoding="utf-8")
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"^@\w+\{([^,\s]+),", text, flags=re.M)]
    out = {}
    for i, (start, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out[key] = text[start:end]
    return out


# --- parsing the facts sheet -----------------------------------------------------------------


def record_sections() -> dict[str, str]:
    """'A', 'B', 'C' (and the final section's first word) -> the section's markdown text."""
    text = public_record_path().read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = block.splitlines()[0]
        key = heading.split(".")[0].strip() if re.match(r"^[A-Z]\.", heading) else heading.split()[0]
        sections[key] = block
    return sections


def table_rows(markdown: str) -> list[list[str]]:
    """Cells of every markdown table row in `markdown` (header rows included, separators not)."""
    rows = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[\s\-|:]+\|", line):
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def record_row(section: str, first_cell_contains: str, *, second_cell_contains: str | None = None) -> list[str]:
    """The one table row of a record section whose first cell is (or else contains) the given text."""
    candidates = [
        r
        for r in table_rows(record_sections()[section])
        if second_cell_contains is None or second_cell_contains.lower() in r[1].lower()
    ]
    rows = [r for r in candidates if r[0].lower() == first_cell_contains.lower()] or [
        r for r in candidates if first_cell_contains.lower() in r[0].lower()
    ]
    assert len(rows) == 1, f"expected one row for {first_cell_contains!r} in part {section}, found {rows}"
    return rows[0]


def parse_number(text: str) -> float:
    """'347,035' -> 347035; '−0.8' -> -0.8; '+21' -> 21 (the record's typography)."""
    return float(text.replace("−", "-").replace(",", "").replace("+", ""))


def find_number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"pattern {pattern!r} not found in {text!r}"
    return parse_number(match.group(1))


# --- reading chart data (inline or published by the book's renderer) ------------------------


def chart_rows(spec: dict, data_dir: Path) -> list[list[dict]]:
    """Every data set a chart spec uses: inline values/datasets, or chart-data/*.json files."""
    found: list[list[dict]] = []
    for node in spec_nodes({k: v for k, v in spec.items() if k != "datasets"}):
        values = node.get("values")
        if isinstance(values, list) and values and all(isinstance(v, dict) for v in values):
            found.append(values)  # inline data (axis "values" are lists of numbers, not rows)
        url = node.get("url")
        if isinstance(url, str) and url.startswith("chart-data/"):
            found.append(json.loads((data_dir / url.removeprefix("chart-data/")).read_text(encoding="utf-8")))
    found.extend(spec.get("datasets", {}).values())
    return found


def fact_numbers() -> set[float]:
    """Every number that appears in a numeric cell of any fact table (for provenance checks)."""
    numbers: set[float] = set()
    for table_id in FACT_TABLES:
        for row in read_table(table_id):
            for column, cell in row.items():
                if column in ("source", "bibkey", "note", "notes"):
                    continue
                for token in re.findall(r"-?\d+(?:\.\d+)?", cell or ""):
                    numbers.add(float(token))
    return numbers


# --- tests of the helpers --------------------------------------------------------------------


def test_record_has_the_three_parts_the_chapters_use():
    sections = record_sections()
    assert {"A", "B", "C"} <= set(sections)
    assert "Kuntaliitto" in sections["B"] and "National statistics" in sections["C"]


def test_table_parser_reads_rows_and_drops_separators():
    rows = table_rows("| a | b |\n|---|---|\n| 1 | 2 |\ntext\n| 3 | 4 |")
    assert rows == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_number_parser_handles_the_record_typography():
    assert parse_number("347,035") == 347035
    assert parse_number("−0.8") == -0.8
    assert parse_number("+21") == 21
