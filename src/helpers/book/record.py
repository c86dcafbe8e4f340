"""Run records: what produced this edition of the book (parameters, commit, data, packages, timings)."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from importlib import metadata
from typing import Any

from helpers.paths import CACHE_DIR, REPO_ROOT
from helpers.text import format_number

RECORDS_DIR = CACHE_DIR / "records"
RECORDED_PACKAGES = (
    "altair",
    "vl-convert-python",
    "pandas",
    "numpy",
    "papermill",
    "nbclient",
    "ipykernel",
    "ipywidgets",
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "nbval",
)


def git_commit() -> str:
    """The commit the book was built from, marked '+dirty' when the work tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def make_record(results: list, data_checksums: dict[str, str]) -> dict[str, Any]:
    """The record of a build: one row per page; the runs of unpublished families (a sweep) as one
    row per family, so hundreds of specifications do not swamp the page."""
    families: dict[str, dict[str, Any]] = {}
    for result in results:
        if result.page.publish:
            continue
        family = families.setdefault(
            result.page.family or "",
            {"family": result.page.family, "notebook": result.page.notebook, "runs": 0, "seconds": 0.0, "last": ""},
        )
        family["runs"] += 1
        family["seconds"] = round(family["seconds"] + result.seconds, 2)
        family["last"] = max(family["last"], result.executed_at)
    return {
        "git_commit": git_commit(),
        "data_checksums": dict(sorted(data_checksums.items())),
        "packages": package_versions(),
        "runs": [
            {
                "page": result.page.page,
                "family": result.page.family,
                "notebook": result.page.notebook,
                "parameters": result.parameters,
                "run_key": result.key,
                "seconds": round(result.seconds, 2),
                "executed_at": result.executed_at,
                "reused_from_cache": result.cached,
            }
            for result in results
            if result.page.publish
        ],
        "families": list(families.values()),
    }


def save(record: dict[str, Any]) -> None:
    RECORDS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    text = json.dumps({"recorded_at": stamp, **record}, indent=2, ensure_ascii=False)
    (RECORDS_DIR / f"{stamp}.json").write_text(text, encoding="utf-8")
    (RECORDS_DIR / "latest.json").write_text(text, encoding="utf-8")


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|")


RUNS_CSV = "run-record-runs.csv"  # every page's run, beside the run-record page (linked as a download)
# Nothing that differs between a build and the no-change rebuild after it (whether a run came from the
# cache): the published page and CSV stay byte-identical, so the rebuild publishes nothing.
CSV_COLUMNS = ("page", "family", "notebook", "parameters", "executed_at", "seconds", "run_key")


def record_csv(record: dict[str, Any]) -> str:
    """Every page's run as CSV, one row per run (the run-record page lists a family as one row)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in record["runs"]:
        writer.writerow(
            [
                json.dumps(run.get(column), ensure_ascii=False, sort_keys=True)
                if column == "parameters"
                else ("" if run.get(column) is None else run.get(column))
                for column in CSV_COLUMNS
            ]
        )
    return out.getvalue()


def page_families(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The published families of the record (e.g. one page per municipality), one summary each:
    how many pages, which parameters vary, the seconds summed and the last execution."""
    families: dict[str, dict[str, Any]] = {}
    for run in record["runs"]:
        if not run.get("family"):
            continue
        family = families.setdefault(
            run["family"],
            {"family": run["family"], "notebook": run["notebook"], "pages": 0, "seconds": 0.0, "last": ""},
        )
        family["pages"] += 1
        family["seconds"] = round(family["seconds"] + run["seconds"], 2)
        family["last"] = max(family["last"], run["executed_at"])
        family.setdefault("values", {})
        for name, value in run["parameters"].items():
            family["values"].setdefault(name, set()).add(json.dumps(value, sort_keys=True))
    for family in families.values():
        values = family.pop("values")
        family["varied"] = sorted(name for name, seen in values.items() if len(seen) > 1)
    return list(families.values())


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def record_markdown(record: dict[str, Any], lang: str = "en") -> str:
    """The run-record page in the edition's language: deterministic for a given record, so an
    unchanged book stays unchanged. A published family (hundreds of pages) is one row; every run is
    in the CSV download. Its words come from the code catalogue (the page is generated, so it has
    no prose catalogue); paths, parameters, keys and checksums are data and stay as they are."""
    from helpers.i18n import _

    executed = _("Executed (UTC)", lang)
    seconds = _("Seconds", lang)
    notebook = _("Notebook", lang)
    commit = _("Git commit:", lang)
    lines = [
        "# " + _("Run record", lang),
        "",
        _(
            "What produced this edition of the book. Each notebook ran with papermill with the parameters "
            "below; a run is reused while its notebook, parameters, data checksums and code are unchanged.",
            lang,
        ),
        "",
        f"**{commit}** `{record['git_commit']}`",
        "",
        "## " + _("Notebook runs", lang),
        "",
        _("Every run, one row each, with its full parameters:", lang)
        + f" {{download}}`{RUNS_CSV} <{RUNS_CSV}>` (CSV).",
        "",
        _row(_("Page", lang), notebook, _("Parameters", lang), executed, seconds, _("Run key", lang)),
        "|---|---|---|---|---:|---|",
    ]
    for run in record["runs"]:
        if run.get("family"):
            continue
        lines.append(
            _row(
                run["page"],
                f"`{run['notebook']}`",
                f"`{_cell(run['parameters'])}`",
                run["executed_at"],
                format_number(run["seconds"], 1, lang=lang),
                f"`{run['run_key'][:12]}`",
            )
        )
    family_word = _("Family", lang)
    families = page_families(record)
    if families:
        lines += [
            "",
            "## " + _("Families of pages", lang),
            "",
            _(
                "One template run once per page; the CSV lists each page's run. Seconds are summed over the runs "
                "as each was executed; reused runs come from the cache.",
                lang,
            ),
            "",
            _row(
                family_word,
                notebook,
                _("Pages", lang),
                _("Parameters that vary", lang),
                _("Last executed (UTC)", lang),
                seconds,
            ),
            "|---|---|---:|---|---|---:|",
        ]
        lines += [
            _row(
                family["family"],
                f"`{family['notebook']}`",
                format_number(family["pages"], 0, lang=lang),
                ", ".join(f"`{name}`" for name in family["varied"]) or "–",
                family["last"],
                format_number(family["seconds"], 1, lang=lang),
            )
            for family in families
        ]
    if record.get("families"):
        lines += [
            "",
            "## " + _("Runs that are not pages", lang),
            "",
            _(
                "Each of these families runs its template once per parameter set; a chapter reads the results "
                "the runs recorded. Seconds are summed over the runs as each was executed.",
                lang,
            ),
            "",
            _row(family_word, notebook, _("Runs", lang), _("Last executed (UTC)", lang), seconds),
            "|---|---|---:|---|---:|",
        ]
        lines += [
            _row(
                family["family"],
                f"`{family['notebook']}`",
                format_number(family["runs"], 0, lang=lang),
                family["last"],
                format_number(family["seconds"], 1, lang=lang),
            )
            for family in record["families"]
        ]
    lines += ["", "## " + _("Data checksums (SHA-256)", lang), "", _row(_("Dataset", lang), "SHA-256"), "|---|---|"]
    lines += [_row(name, f"`{digest}`") for name, digest in record["data_checksums"].items()]
    lines += ["", "## " + _("Package versions", lang), "", _row(_("Package", lang), _("Version", lang)), "|---|---|"]
    lines += [_row(name, version) for name, version in record["packages"].items()]
    return "\n".join(lines) + "\n"
