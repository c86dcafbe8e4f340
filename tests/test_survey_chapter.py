"""The background (2), survey (4) and glossary pages, read from their stored reference outputs.

Nothing is executed here: the committed notebooks are the reference edition, so these tests read
their stored outputs (glued values, tables, figures) and check them against the fact tables, read
independently with the csv module. They check that every figure in the chapters' tables has a
source and equals the fact table, that no figure is typed into the prose, that every cited key is
in the bibliography, that the glossary page lists every term, and that the notebooks' parameter
validators reject bad values with the nearest valid names.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from html.parser import HTMLParser

import altair as alt
import nbformat
import pytest
from test_facts_support import REPO, bib_keys, read_table

from helpers.analysis import national
from helpers.book.params import validate_parameters
from helpers.chapters import background, glossary
from helpers.chapters import survey as survey_chapter
from helpers.charts import survey as survey_charts
from helpers.errors import ParameterError

NOTEBOOKS = REPO / "notebooks"
PAGES = ("background", "survey", "glossary")
GLUE_TEXT = "application/papermill.record/text/plain"
GLUE_MARKDOWN = "application/papermill.record/text/markdown"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
QUALIFIERS = ("about", "up to", "just under", "at most")


# --- reading the stored notebooks ------------------------------------------------------------


@cache
def _notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _markdown(name: str) -> str:
    return "\n\n".join(c.source for c in _notebook(name).cells if c.cell_type == "markdown")


def _outputs(name: str):
    for cell in _notebook(name).cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


@cache
def _glued(name: str) -> dict:
    """Values glued (display=False) in the stored notebook: name -> Python value."""
    values = {}
    for output in _outputs(name):
        scrap = output.get("metadata", {}).get("scrapbook")
        # glue:md paragraphs (a markdown record) are sentences, not values
        if scrap and GLUE_TEXT in output.get("data", {}) and GLUE_MARKDOWN not in output.get("data", {}):
            values[scrap["name"]] = ast.literal_eval(output["data"][GLUE_TEXT])
    return values


class _TableParser(HTMLParser):
    """Caption, header and cell text of every <table class="book-table"> in an HTML output."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: str | None = None
        self._row: list[str] | None = None
        self._in_caption = self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "book-table") in attrs:
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.tables[-1]["header"] = self._row
            else:
                self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data


@cache
def _tables(name: str) -> list[dict]:
    """Every book table in the stored outputs, rows as dicts keyed by the header."""
    found = []
    for output in _outputs(name):
        html = output.get("data", {}).get("text/html", "")
        if "book-table" in html:
            parser = _TableParser()
            parser.feed(html)
            for table in parser.tables:
                table["rows"] = [dict(zip(table["header"], row)) for row in table["rows"]]
                found.append(table)
    return found


def _table(name: str, caption_contains: str) -> dict:
    matches = [t for t in _tables(name) if caption_contains in t["caption"]]
    assert len(matches) == 1, f"{name}: expected one table captioned '…{caption_contains}…', found {len(matches)}"
    return matches[0]


def _figures(name: str) -> list[dict]:
    """Figures in the stored outputs: number, caption, alt text and the vega-lite spec."""
    figures = []
    for output in _outputs(name):
        data = output.get("data", {})
        html = data.get("text/html", "")
        match = re.search(r'<figure class="book-figure" role="group" aria-label="([^"]*)">', html)
        if not match:
            continue
        caption = re.search(r"<figcaption>Figure (\d+\.\d+)\. (.*?)</figcaption>", html, flags=re.S)
        spec = next(v for k, v in data.items() if k.startswith("application/vnd.vegalite"))
        figures.append({"number": caption.group(1), "caption": caption.group(2), "alt": match.group(1), "spec": spec})
    return figures


def _number(text: str) -> float:
    """The first figure in a cell such as 'about 1,560 person-years', '−657' or '92.0 % of …'."""
    match = re.search(r"[−+-]?\d[\d,]*(?:\.\d+)?", text)
    assert match, f"no number in {text!r}"
    return float(match.group(0).replace("−", "-").replace(",", "").replace("+", ""))


def _without_seed(source: str) -> str:
    return re.sub(r"\s*\((?:project )?seed \d{3}\)", "", source, flags=re.I).strip()


def _glue_refs(text: str) -> list[tuple[str, str, int]]:
    """(name, format, position) of every {glue:text}`name:format` role in `text`."""
    return [
        (m.group(1), m.group(2) or "", m.start())
        for m in re.finditer(r"\{glue:text\}`([A-Za-z0-9_]+)(?::([^`]*))?`", text)
    ]


# --- glued figures equal the fact tables ---------------------------------------------------


def test_every_national_figure_is_glued_with_its_published_value():
    glued = _glued("background")
    rows = read_table("national_statistics")
    assert rows
    for row in rows:
        key = f"{row['measure']}_{row['year']}"
        assert key in glued, f"{key} is not glued in background.ipynb"
        assert glued[key] == float(row["value"]), (key, glued[key], row["value"])


def test_every_survey_figure_is_glued_with_its_published_value():
    glued = _glued("survey")
    for row in read_table("survey_findings"):
        key = f"survey_{row['finding_id']}"
        if row["finding_id"] == "fieldwork_period":
            first, last = re.fullmatch(r"\d{4}-(\d{2})/(\d{4})-(\d{2})", row["value"]).group(1, 3)
            year = row["value"][-7:-3]
            assert glued[key] == f"{MONTHS[int(first) - 1]}–{MONTHS[int(last) - 1]} {year}" == "March–April 2019"
        else:
            assert glued[key] == float(row["value"]), key
    for row in read_table("related_evidence"):
        if row["value"]:
            assert glued[f"evidence_{row['evidence_id']}"] == float(row["value"]), row["evidence_id"]
        else:
            year, month, day = row["date"].split("-")
            assert glued[f"evidence_{row['evidence_id']}_date"] == f"{int(day)} {MONTHS[int(month) - 1]} {year}"
    for row in read_table("kela_notifications"):
        assert glued[f"notification_{row['category_id']}"] == float(row["share_pct"]), row["category_id"]
    assert glued["survey_population_coverage_pct"] == 92.0 and glued["survey_respondents"] == 133.0


@pytest.mark.parametrize("name", PAGES)
def test_every_glue_role_in_the_prose_has_a_stored_value(name):
    glued = _glued(name)
    refs = _glue_refs(_markdown(name))
    assert refs, f"{name}: the prose uses glued values"
    missing = sorted({ref for ref, _, _ in refs} - set(glued))
    assert not missing, f"{name}: glue roles without a glued value: {missing}"
    for ref, fmt, _ in refs:  # the format must apply to the stored value, as myst-nb will
        if fmt:
            format(glued[ref], fmt)


def _fact_rows_by_glue_name() -> dict[str, dict]:
    rows = {f"{r['measure']}_{r['year']}": r for r in read_table("national_statistics")}
    rows |= {f"survey_{r['finding_id']}": r for r in read_table("survey_findings")}
    rows |= {f"evidence_{r['evidence_id']}": r for r in read_table("related_evidence")}
    return rows


@pytest.mark.parametrize("name", ["background", "survey"])
def test_qualified_figures_keep_their_qualifier_in_the_prose(name):
    rows = _fact_rows_by_glue_name()
    text = _markdown(name)
    checked = 0
    for ref, _, position in _glue_refs(text):
        qualifier = rows.get(ref, {}).get("qualifier", "")
        if qualifier:
            before = text[max(0, position - len(qualifier) - 2) : position]
            assert qualifier in before, f"{name}: {ref} is published as '{qualifier} …' but the prose has {before!r}"
            checked += 1
    assert checked, f"{name}: no qualified figure checked"


def _typed_numbers(text: str) -> list[str]:
    """Digits a reader would see in the prose once glued values, citations, code, years, dates,
    series numbers, age groups and figure numbers are taken out."""
    text = re.sub(r"\{glue:text\}`[^`]*`", " ", text)
    text = re.sub(r"\{(?:cite|doc)[^}]*\}`[^`]*`", " ", text)
    text = re.sub(r"```[^\n]*", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"^#+ .*$", " ", text, flags=re.M)
    text = re.sub(r"\bFigure \d+\.\d+", " ", text)
    text = re.sub(r"\b\d+/(?:19|20)\d{2}\b", " ", text)  # a series number such as 4/2019
    text = re.sub(rf"\b\d{{1,2}} ({'|'.join(MONTHS)}) \d{{4}}\b", " ", text)
    text = re.sub(r"\b(?:19|20)\d{2}(?:–(?:(?:19|20)?\d{2}))?\b", " ", text)  # years and year ranges
    text = re.sub(r"\baged \d+–\d+|\b\d+ or over\b|\bover the age of \d+\b", " ", text)  # age groups
    text = re.sub(r"\bindicators? \d+(?: and \d+)?", " ", text)  # Sotkanet indicator ids, not figures
    return re.findall(r"\d+", text)


@pytest.mark.parametrize("name", PAGES)
def test_no_figure_is_typed_into_the_prose(name):
    typed = _typed_numbers(_markdown(name))
    assert not typed, f"{name}: numbers typed into the prose instead of glued: {typed}"


@pytest.mark.parametrize("name", ["background", "survey"])
def test_every_paragraph_with_a_figure_cites_a_source(name):
    for paragraph in re.split(r"\n\s*\n", _markdown(name)):
        if paragraph.lstrip().startswith("## Parameters"):
            continue
        for item in re.split(r"\n- ", paragraph):
            figures = [
                ref
                for ref, _, _ in _glue_refs(item)
                if not ref.startswith(("term_", "lang_", "related_", "fig_", "sec_", "caveat_"))
                # sentences computed from the data release; the figure captions name their source
                and not ref.endswith("_paragraph")
            ]
            if figures:
                assert "{cite}" in item, f"{name}: figure(s) {figures} without a citation: {item[:160]!r}"


# --- citations -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_cited_key_is_in_the_bibliography(name):
    cited = [
        k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _markdown(name)) for k in group.split(",")
    ]
    assert cited, f"{name}: the page cites its sources"
    missing = sorted(set(cited) - set(bib_keys()))
    assert not missing, f"{name}: cited keys missing from data/references.bib: {missing}"


def test_the_chapters_cite_every_source_of_the_figures_they_glue():
    """A figure quoted from a fact table is cited with that row's bibkey somewhere in the chapter."""
    rows = _fact_rows_by_glue_name() | {f"notification_{r['category_id']}": r for r in read_table("kela_notifications")}
    for name in ("background", "survey"):
        text = _markdown(name)
        cited = {k.strip() for group in re.findall(r"\{cite\}`([^`]+)`", text) for k in group.split(",")}
        for ref, _, _ in _glue_refs(text):
            if ref in rows:
                keys = set(rows[ref]["bibkey"].split(";"))
                assert keys & cited, f"{name}: {ref} is quoted but none of {keys} is cited"


# --- tables: numbers equal the fact tables, every row has a source ------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_table_row_shows_a_source(name):
    tables = _tables(name)
    assert tables, f"{name}: the page has tables"
    for table in tables:
        assert "Source" in table["header"], f"{name}: table '{table['caption']}' has no Source column"
        for row in table["rows"]:
            assert row["Source"] and row["Source"] != "no data", f"{name}: row without a source: {row}"
            assert "seed" not in row["Source"].lower(), row["Source"]


def test_background_table_holds_exactly_the_published_figures_of_the_default_series():
    table = _table("background", "published figures drawn in Figure 2.1")
    by_label = {m.label: key for key, m in national.MEASURES.items()}
    csv_rows = {(r["measure"], int(r["year"])): r for r in read_table("national_statistics")}
    shown = set()
    for row in table["rows"]:
        key = (by_label[row["Series"]], int(row["Year"]))
        published = csv_rows[key]
        assert _number(row["Figure"]) == float(published["value"]), (key, row["Figure"])
        assert published["value"] in row["Figure"].replace(",", ""), "published precision kept (716.0)"
        assert row["Figure"].startswith(published["qualifier"]), (key, row["Figure"])
        assert row["Source"] == _without_seed(published["source"])
        shown.add(key)
    expected = {k for k in csv_rows if k[0] in national.DEFAULT_MEASURES}
    assert shown == expected, f"missing {expected - shown}, extra {shown - expected}"
    assert not {2015, 2016} & {year for _, year in shown}


def test_survey_response_table_shows_coverage_as_published():
    table = _table("survey", "Who answered")
    findings = {r["finding_id"]: r for r in read_table("survey_findings")}
    figures = {row["Item"]: row["Figure"] for row in table["rows"]}
    assert figures["Fieldwork"] == "March–April 2019"
    assert _number(figures["Respondents"]) == float(findings["respondents"]["value"])
    coverage = figures["Population covered by the respondents"]
    assert coverage.startswith(findings["population_coverage_pct"]["value"] + " %")  # "92.0 %", not "92 %"
    assert "of population" in coverage and "sample" not in coverage


def test_survey_decision_table_shows_only_the_published_figures():
    table = _table("survey", "published figures on supplementary and preventive decisions")
    findings = {r["finding_id"]: r for r in read_table("survey_findings")}
    ids = [
        "decisions_growth_pct",
        "supplementary_by_benefit_handlers_pct",
        "preventive_by_benefit_handlers_pct",
        "preventive_by_social_workers_instructors_pct",
    ]
    assert [_number(row["Figure"]) for row in table["rows"]] == [float(findings[i]["value"]) for i in ids]
    assert table["rows"][0]["Figure"] == "+21 %"
    assert all(row["Source"] == _without_seed(findings[i]["source"]) for row, i in zip(table["rows"], ids))
    assert not any("not published" in row["Figure"] for row in table["rows"])


def test_survey_qualitative_table_is_the_fact_table():
    table = _table("survey", "Qualitative findings")
    expected = [(r["theme"], r["finding"], _without_seed(r["source"])) for r in read_table("survey_qualitative")]
    assert [(r["Theme"], r["Finding"], r["Source"]) for r in table["rows"]] == expected


def test_related_evidence_table_matches_the_fact_table():
    table = _table("survey", "Related evidence")
    evidence = {r["item"]: r for r in read_table("related_evidence")}
    assert len(table["rows"]) == len(evidence)
    for row in table["rows"]:
        published = evidence[row["Figure"]]
        assert row["Source"] == _without_seed(published["source"])
        assert row["Study or event"] == published["event"]
        if published["value"]:
            assert _number(row["Value"].removeprefix(published["qualifier"]).strip()) == float(published["value"])
            assert row["Value"].startswith(published["qualifier"])
        else:
            assert row["Value"] in ("", "no data") and row["Date"] == "1 January 2017"
    assert [r["Figure"] for r in table["rows"]][0] == "Kela takes over decisions on basic social assistance"


def test_three_parts_table_has_the_glossary_definitions():
    table = _table("background", "three parts of social assistance")
    glossary = {r["term_id"]: r for r in read_table("glossary")}
    ids = ["perustoimeentulotuki", "taydentava_toimeentulotuki", "ehkaiseva_toimeentulotuki"]
    assert [r["What it is and who decides"] for r in table["rows"]] == [glossary[i]["definition_en"] for i in ids]
    assert [r["Part"] for r in table["rows"]] == [f"{glossary[i]['en']} ({glossary[i]['fi']})" for i in ids]


# --- figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "numbers"), [("background", ["2.1", "2.2", "2.3"]), ("survey", ["5.1", "5.2", "5.3", "5.4"])]
)
def test_figures_are_numbered_with_sources_and_alt_text(name, numbers):
    figures = _figures(name)
    assert [f["number"] for f in figures] == numbers
    for figure in figures:
        assert re.search(r"Sources?: \S", figure["caption"]), figure["caption"]
        assert len(figure["alt"]) > 80, figure["alt"]
        assert figure["spec"]["background"] == "white"


def test_background_chart_draws_only_published_national_figures():
    spec = _figures("background")[0]["spec"]
    alt_text = _figures("background")[0]["alt"]
    assert "No published figure for" in alt_text and "2015, 2016" in alt_text
    panels = [panel["title"]["text"] for panel in spec["concat"]]
    assert panels == [national.MEASURES[m].label for m in national.DEFAULT_MEASURES]


def test_survey_charts_show_no_municipality(tmp_path, monkeypatch):
    """The stored charts' data files are exactly what the builders make from the fact tables now
    (same content hash), and they hold no municipality code or name."""
    monkeypatch.setenv("BOOK_CHART_DATA_DIR", str(tmp_path))
    builders = [
        survey_charts.survey_coverage_chart,
        survey_charts.decision_growth_chart,
        survey_charts.decision_makers_chart,
        survey_charts.related_evidence_chart,
    ]
    with alt.data_transformers.enable("book"):
        for build in builders:
            build().to_dict()
    names = {r["name_fi"] for r in read_table("pilot_municipalities")} | {
        r["name_sv"] for r in read_table("pilot_municipalities")
    }
    for figure in _figures("survey"):
        urls = re.findall(r'"url": "chart-data/([^"]+)"', json.dumps(figure["spec"]))
        assert urls, figure["number"]
        for url in urls:
            path = tmp_path / url
            assert path.is_file(), f"Figure {figure['number']}: stored data {url} differs from the fact tables now"
            text = path.read_text(encoding="utf-8")
            assert "municipality_code" not in text
            assert not [n for n in names if n in text], f"Figure {figure['number']} names a municipality"


def test_survey_page_names_no_municipality_and_points_to_the_comparisons():
    text = _markdown("survey") + json.dumps([o.get("data", {}).get("text/html", "") for o in _outputs("survey")])
    for row in read_table("pilot_municipalities"):
        for name in (row["name_fi"], row["name_sv"]):
            assert name not in text, name
    limits = _markdown("survey").split("## What the survey cannot tell", 1)[1]
    assert "```{note}" in limits and "No municipality-level answers" in limits
    assert "{doc}`/chapters/comparisons`" in limits


def test_background_caveats_are_admonitions():
    text = _markdown("background")
    caveats = re.findall(r"```\{(note|caution)\}\n(.*?)```", text, flags=re.S)
    joined = " ".join(body for _, body in caveats)
    assert {"note", "caution"} <= {kind for kind, _ in caveats}
    for phrase in ("Two scopes", "2015 and 2016", "only a change", "Not national"):
        assert phrase in joined, phrase


# --- glossary and terms ------------------------------------------------------------------------


def test_glossary_page_lists_every_term_of_the_data_file():
    table = _table("glossary", "Terms of Finnish social assistance")
    rows = read_table("glossary")
    assert _glued("glossary")["term_count"] == len(rows) == len(table["rows"])
    shown = {(r["Finnish"], r["English"]): r for r in table["rows"]}
    for row in rows:
        entry = shown[(row["fi"], row["en"])]
        assert entry["Swedish"] == (row["sv"] or "(no confirmed form)")
        assert entry["Definition"] == row["definition_en"]
    assert list(table["header"][:3]) == ["Finnish", "Swedish", "English"]


@pytest.mark.parametrize("name", ["background", "survey"])
def test_terms_beside_english_text_are_in_the_default_language(name):
    glossary = {r["term_id"]: r for r in read_table("glossary")}
    glued = {k.removeprefix("term_"): v for k, v in _glued(name).items() if k.startswith("term_")}
    assert set(glued) == set(glossary)
    assert glued["toimeentulotuki"] == "social assistance (toimeentulotuki)"
    for term_id, label in glued.items():
        finnish = glossary[term_id]["fi"]
        head = re.sub(r" \(.*\)$", "", finnish)
        assert head in label or finnish.split(" (")[-1].rstrip(")") in label, (term_id, label)
        assert label.count("(") == label.count(")") and "((" not in label and "))" not in label


# --- parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_notebook_has_the_fixed_shape_and_valid_defaults(name):
    cells = _notebook(name).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert "parameters" in cells[1].metadata.get("tags", [])
    assert "hide-input" in cells[2].metadata.get("tags", [])
    validate_parameters(NOTEBOOKS / f"{name}.ipynb", {})


@pytest.mark.parametrize(
    ("name", "given", "fragments"),
    [
        ("background", {"lang": "se"}, ["'lang'", "nearest: sv", "valid: fi, sv, en"]),
        (
            "background",
            {"series": ["recipents_persons_any_assistance"]},
            ["'series'", "recipients_persons_any_assistance"],
        ),
        ("background", {"series": "kela_basic_person"}, ["'series'", "kela_basic_persons"]),
        ("survey", {"lang": "fin"}, ["'lang'", "nearest: fi", "valid: fi, sv, en"]),
        ("survey", {"show_related": "perhaps"}, ["show_related", "true or false"]),
        ("glossary", {"lang_order": ["fi", "svv"]}, ["'lang_order'", "Nearest valid: sv"]),
        ("glossary", {"lang_order": ["fi", "fi"]}, ["'lang_order'", "repeats fi"]),
    ],
)
def test_bad_parameters_are_rejected_before_the_kernel_starts(name, given, fragments):
    with pytest.raises(ParameterError) as info:
        validate_parameters(NOTEBOOKS / f"{name}.ipynb", given)
    message = str(info.value)
    assert message.startswith(f"{name}.ipynb:")
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("background", {"lang": "SV", "series": ["all"]}, {"lang": "sv", "series": list(national.MEASURES)}),
        (
            "background",
            {"lang": "en", "series": ["default", "six_cities_basic_persons"]},
            {"lang": "en", "series": [*national.DEFAULT_MEASURES, "six_cities_basic_persons"]},
        ),
        ("survey", {"lang": "sv", "show_related": "false"}, {"lang": "sv", "show_related": False}),
        ("glossary", {"lang_order": ["sv", "en"]}, {"lang_order": ["sv", "en"]}),
    ],
)
def test_good_parameters_pass_as_checked_values(name, given, expected):
    merged = validate_parameters(NOTEBOOKS / f"{name}.ipynb", given)
    assert {k: merged[k] for k in given} == expected


def test_chapter_validators_work_on_their_own():
    assert background.validate({}).series == list(national.DEFAULT_MEASURES)
    assert survey_chapter.validate({"lang": "en", "show_related": True}).lang == "en"
    with pytest.raises(ParameterError, match="lang_order"):
        glossary.validate({"lang_order": []})
    with pytest.raises(ParameterError, match="'series'"):
        background.validate({"lang": "fi", "series": []})


def test_no_notebook_names_a_validator_in_its_metadata():
    for name in PAGES:
        assert "validator" not in _notebook(name).metadata.get("book", {}), name
    assert not (REPO / "data" / "facts" / "DRAFT-survey.md").exists(), "the drafts' prose lives in the notebooks"
    assert not (REPO / "data" / "facts" / "DRAFT-background.md").exists()
