"""The run-record page: a published family is one row, every run is in the CSV beside the page."""

from __future__ import annotations

import csv
import io

from helpers.book import build, runplan
from helpers.book import record as run_record


def _result(page: runplan.Page, parameters: dict, seconds: float, cached: bool, at: str, tmp_path) -> build.RunResult:
    return build.RunResult(page, parameters, f"key-{page.page}", tmp_path, seconds, cached, at)


def test_a_family_of_pages_is_one_row_and_every_run_is_in_the_csv(tmp_path):
    chapter = runplan.Page(page="chapters/x", notebook="nb/x.ipynb", chapter="x")
    pages = [
        runplan.Page(page=f"places/{code}", notebook="nb/place.ipynb", family="places", chapter="place")
        for code in ("005", "091", "837")
    ]
    results = [_result(chapter, {"year": 2019}, 4.0, False, "2026-01-01T00:00:00Z", tmp_path)] + [
        _result(
            page, {"place": page.page[-3:], "peers": 10}, 0.25, index > 0, f"2026-01-0{index + 2}T00:00:00Z", tmp_path
        )
        for index, page in enumerate(pages)
    ]
    record = {**run_record.make_record(results, {"d": "abc"}), "git_commit": "c0ffee"}
    page = run_record.record_markdown(record)
    assert "| chapters/x | `nb/x.ipynb` |" in page
    assert "places/005" not in page and "places/837" not in page  # not one row per page
    # 3 pages, only `place` varies, last run on 4 January, 0.75 s in all
    assert "| places | `nb/place.ipynb` | 3 | `place` | 2026-01-04T00:00:00Z | 0.8 |" in page
    assert "{download}`run-record-runs.csv <run-record-runs.csv>`" in page

    rows = list(csv.DictReader(io.StringIO(run_record.record_csv(record))))
    assert [row["page"] for row in rows] == ["chapters/x", "places/005", "places/091", "places/837"]
    assert rows[0]["family"] == "" and rows[3]["family"] == "places"
    assert rows[3]["parameters"] == '{"peers": 10, "place": "837"}'
    assert "reused_from_cache" not in rows[0], "whether a run was cached changes on a no-change rebuild"


def test_the_run_record_is_written_in_the_editions_language_with_the_same_data(tmp_path):
    from helpers import i18n

    family = [runplan.Page(page="places/837", notebook="nb/place.ipynb", family="places", chapter="place")]
    results = [_result(family[0], {"place": "837"}, 1234.5, False, "2026-01-02T00:00:00Z", tmp_path)]
    record = {**run_record.make_record(results, {"sotkanet/x.csv": "ab12"}), "git_commit": "c0ffee"}
    i18n.forget_untranslated()
    finnish = run_record.record_markdown(record, "fi")
    swedish = run_record.record_markdown(record, "sv")
    assert finnish.startswith("# Ajoloki\n") and swedish.startswith("# Körningslogg\n")
    assert "## Aineistojen tarkistussummat (SHA-256)" in finnish and "| sotkanet/x.csv | `ab12` |" in finnish
    # the same row, numbers with the edition's decimal comma; paths and keys unchanged
    assert "| 1 | – | 2026-01-02T00:00:00Z | 1\u00a0234,5 |" in swedish
    assert "| 1 | – | 2026-01-02T00:00:00Z | 1,234.5 |" in run_record.record_markdown(record, "en")
    assert not [message for lang, message in i18n.untranslated() if lang in ("fi", "sv")]
