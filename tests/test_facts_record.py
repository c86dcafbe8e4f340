"""The fact tables say what the facts sheet says: numbers are parsed out of PUBLIC-RECORD.md.

Each check names a row of the facts sheet, a pattern that pulls one figure out of it, and the
fact-table row that must hold the same figure. If either side drifts, the test fails. A last
test makes sure every numeric row of the checked tables is covered by some check, so a figure
added to a table without a counterpart in the record fails too.
"""

from __future__ import annotations

import re

import pytest
from test_facts_support import find_number, parse_number, read_table, record_row, record_sections, seed_text

# (year cell, text in the figure cell, pattern, measure, qualifier in the table)
NATIONAL_CHECKS = [
    ("2014", "total expenditure", r"total expenditure ([\d.,]+) M€", "expenditure_total_meur", ""),
    ("2014", "total expenditure", r"recipients ([\d.,]+) % of population", "recipients_share_of_population_pct", ""),
    ("2017", "Kela basic", r"([\d,]+) applicant households", "kela_basic_applicant_households", ""),
    ("2017", "Kela basic", r"([\d,]+) receiving", "kela_basic_households", ""),
    ("2017", "Kela basic", r"receiving \(([\d.]+) %\)", "kela_basic_households_share_of_applicants_pct", ""),
    ("2017", "Kela basic", r"([\d,]+) persons", "kela_basic_persons", ""),
    ("2017", "any social assistance", r"any social assistance: ([\d,]+)", "recipients_persons_any_assistance", ""),
    ("2018", "Kela basic", r"([\d.,]+) M€", "kela_basic_expenditure_meur", ""),
    ("2018", "Kela basic", r"M€ \(([−+\-][\d.]+) %\)", "kela_basic_expenditure_change_pct", ""),
    ("2018", "Kela basic", r"([\d,]+) households", "kela_basic_households", ""),
    ("2018", "Kela basic", r"households \(([−+\-][\d.]+) %\)", "kela_basic_households_change_pct", ""),
    ("2018", "Kela basic", r"([\d,]+) persons", "kela_basic_persons", ""),
    ("2018", "Kela basic", r"persons \(([−+\-][\d.]+) %\)", "kela_basic_persons_change_pct", ""),
    ("2018", "Kela basic", r"aged 18–24: ([\d,]+)", "kela_basic_persons_18_24", ""),
    ("2018", "Kela basic", r"aged 18–24: [\d,]+ \(([−+\-][\d.]+) %\)", "kela_basic_persons_18_24_change_pct", ""),
    ("2018", "Kela basic", r"25\+: ([\d,]+)", "kela_basic_persons_25_plus", ""),
    ("2018", "Kela basic", r"25\+: [\d,]+ \(([−+\-][\d.]+) %\)", "kela_basic_persons_25_plus_change_pct", ""),
    ("2018", "any social assistance", r"any social assistance: ([\d,]+)", "recipients_persons_any_assistance", ""),
    ("2018", "six largest", r"([\d,]+) basic-assistance households", "six_cities_basic_households", ""),
    ("2018", "six largest", r"([\d,]+) persons", "six_cities_basic_persons", ""),
    ("2018", "six largest", r"gross cost ([\d.,]+) M€", "six_cities_gross_cost_meur", ""),
    ("2019", "households", r"([\d,]+) households", "households_any_assistance", ""),
    ("2019", "households", r"([\d,]+) persons", "recipients_persons_any_assistance", ""),
    ("2019", "households", r"([\d.,]+) % of population", "recipients_share_of_population_pct", ""),
    ("2019", "households", r"about ([\d.,]+) M€", "expenditure_total_meur", "about"),
    ("2020", "recipients", r"recipients ([−+\-][\d.]+) % on 2019", "kela_basic_recipients_change_pct", ""),
]

# (first cell of a part-B row, pattern, finding_id)
SURVEY_CHECKS = [
    ("respondents", r"^(\d+) municipalities", "respondents"),
    ("population covered", r"^([\d.]+) %", "population_coverage_pct"),
    ("supplementary + preventive decisions", r"^([+\-−]?\d+) %", "decisions_growth_pct"),
    ("supplementary decisions made by benefit handlers", r"^(\d+) %", "supplementary_by_benefit_handlers_pct"),
    ("preventive decisions made by benefit handlers", r"^(\d+) %", "preventive_by_benefit_handlers_pct"),
    ("preventive decisions made by social workers", r"^(\d+) %", "preventive_by_social_workers_instructors_pct"),
]

# (first cell of a related-surveys row, pattern with (qualifier)(number), evidence_id)
QUAL = r"(up to|about|just under|)\s*"
EVIDENCE_CHECKS = [
    ("preventive decisions, May–Aug 2017", QUAL + r"([\d.]+)×", "kuntaliitto2017_preventive_decisions"),
    ("client households in 2017 vs 2015", QUAL + r"\+?([\d.]+) %;", "kuntaliitto2017_client_households"),
    ("client households in 2017 vs 2015", r"(about) ([\d.]+) % a year", "kuntaliitto2017_normal_growth"),
    ("municipal staff and administration freed", QUAL + r"([\d.,]+) M€", "kuntaliitto2018_freed_cost"),
    (
        "municipal staff and administration freed",
        QUAL + r"([\d.,]+) person-years",
        "kuntaliitto2018_freed_person_years",
    ),
    ("gross cost of social assistance", QUAL + r"\+?([\d.,]+) M€", "kuntaliitto2018_gross_cost_change"),
    ("share of social-work time", QUAL + r"([\d.]+) %", "thl2021_time_on_kela_matters"),
    ("municipal benefit handlers / social workers", r"()([−+\-][\d,]+) /", "fcg_benefit_handlers"),
    ("municipal benefit handlers / social workers", r"/ ()([−+\-][\d,]+)", "fcg_social_workers"),
    ("social workers / Kela staff", r"()(\d+) % /", "barometer_social_workers"),
    ("social workers / Kela staff", r"/ ()(\d+) %", "barometer_kela_staff"),
]


def _national(year: str, measure: str) -> dict:
    rows = [r for r in read_table("national_statistics") if r["year"] == year and r["measure"] == measure]
    assert len(rows) == 1, f"national_statistics: expected one row for {year} {measure}, found {len(rows)}"
    return rows[0]


@pytest.mark.parametrize(("year", "figure_has", "pattern", "measure", "qualifier"), NATIONAL_CHECKS)
def test_national_figure_matches_the_record(year, figure_has, pattern, measure, qualifier):
    row = record_row("C", year, second_cell_contains=figure_has)
    published = find_number(pattern, row[1])
    table_row = _national(year, measure)
    assert float(table_row["value"]) == published, f"{year} {measure}: table {table_row['value']}, record {published}"
    assert table_row["qualifier"] == qualifier
    # The citation names the same publisher as the record's source column.
    publisher = re.split(r"[,(]", row[2])[0].strip().split()[0]
    assert publisher.lower() in table_row["source"].lower(), (publisher, table_row["source"])


def test_every_national_row_is_checked_against_the_record():
    checked = {(year, measure) for year, _, _, measure, _ in NATIONAL_CHECKS}
    rows = {(r["year"], r["measure"]) for r in read_table("national_statistics")}
    assert rows == checked, f"unchecked: {sorted(rows - checked)}; missing from table: {sorted(checked - rows)}"


def test_record_has_no_national_figures_for_2015_and_2016():
    years = {row[0] for row in record_row_table("C")}
    assert not years & {"2015", "2016"}, "the record now has 2015/2016 figures: transcribe them"


def record_row_table(section: str) -> list[list[str]]:
    from test_facts_support import table_rows

    return [r for r in table_rows(record_sections()[section]) if re.fullmatch(r"\d{4}", r[0])]


@pytest.mark.parametrize(("first_cell", "pattern", "finding_id"), SURVEY_CHECKS)
def test_survey_figure_matches_the_record(first_cell, pattern, finding_id):
    row = record_row("B", first_cell)
    match = re.search(pattern, row[1])
    assert match, row
    findings = {r["finding_id"]: r for r in read_table("survey_findings")}
    assert findings[finding_id]["value"] == match.group(1).replace("+", ""), (finding_id, row[1])


def test_survey_fieldwork_period_matches_the_record():
    row = record_row("B", "fieldwork")
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    first, last, year = re.search(r"(\w+)–(\w+) (\d{4})", row[1]).groups()
    expected = f"{year}-{months.index(first) + 1:02d}/{year}-{months.index(last) + 1:02d}"
    findings = {r["finding_id"]: r for r in read_table("survey_findings")}
    assert findings["fieldwork_period"]["value"] == expected


def test_every_numeric_survey_row_is_checked():
    checked = {finding_id for _, _, finding_id in SURVEY_CHECKS} | {"fieldwork_period"}
    assert {r["finding_id"] for r in read_table("survey_findings")} == checked


def test_qualitative_findings_cover_the_record_themes():
    row = record_row("B", "qualitative findings")
    themes = [t.strip() for t in re.split(r";(?![^(]*\))", row[1])]
    ours = read_table("survey_qualitative")
    assert len(ours) == len(themes) == 6
    # Written in the book's own words: no finding repeats a record phrase of five words or more.
    for theme in themes:
        words = theme.lower().split()
        for i in range(len(words) - 4):
            phrase = " ".join(words[i : i + 5])
            assert all(phrase not in r["finding"].lower() for r in ours), phrase


@pytest.mark.parametrize(("first_cell", "pattern", "evidence_id"), EVIDENCE_CHECKS)
def test_related_evidence_matches_the_record(first_cell, pattern, evidence_id):
    row = record_row("B", first_cell)
    match = re.search(pattern, row[1])
    assert match, (pattern, row[1])
    qualifier, number = match.group(1), parse_number(match.group(2))
    evidence = {r["evidence_id"]: r for r in read_table("related_evidence")}[evidence_id]
    assert float(evidence["value"]) == number, (evidence_id, evidence["value"], number)
    assert evidence["qualifier"] == qualifier, (evidence_id, evidence["qualifier"], qualifier)


def test_every_related_figure_is_checked():
    checked = {evidence_id for _, _, evidence_id in EVIDENCE_CHECKS}
    rows = read_table("related_evidence")
    assert {r["evidence_id"] for r in rows if r["value"]} == checked
    # The only row without a figure is the transfer to Kela: dated as in the record's background
    # note, and cited with publications the record lists (the facts sheet itself is not a source).
    events = [r for r in rows if not r["value"]]
    assert [r["evidence_id"] for r in events] == ["transfer_to_kela"]
    background = record_sections()["C"]
    assert "since 1 Jan 2017 Kela decides basic" in background and events[0]["date"] == "2017-01-01"
    assert set(events[0]["bibkey"].split(";")) == {
        "kuntaliitto2019survey", "kela2018korpela", "kela2019press", "kuntaliitto2017", "kuntaliitto2018",
    }  # fmt: skip
    # Kuntaliitto's spring-2019 item counts more than two years since the transfer.
    assert "yli kaksi vuotta" in seed_text("004") and "Kela" in seed_text("004")


@pytest.mark.parametrize(
    ("first_cell", "table"),
    [
        ("Kela notifications to municipal social work", "all_notifications"),
        ("need-for-social-work", "need_for_social_work"),
    ],
)
def test_kela_notification_shares_match_the_record_in_order(first_cell, table):
    row = record_row("A", first_cell)
    published = [float(n) for n in re.findall(r"(\d+) %", row[1])]
    ours = [float(r["share_pct"]) for r in read_table("kela_notifications") if r["table"] == table]
    assert ours == published
    assert sum(ours) < 100  # the record's shares do not add up to 100; the table must not pad them


def test_pilot_facts_match_the_record():
    facts = {r["fact_id"]: r for r in read_table("pilot_facts")}
    lounge = record_row("A", "Kemijärvi")[1]
    assert facts["kemijarvi_lounge_days_sv"]["value"] == str(int(find_number(r"open (\d+) days", lounge)))
    assert facts["kemijarvi_lounge_days_fi"]["value"] == str(int(find_number(r"release says (\d+)", lounge)))
    assert facts["kemijarvi_lounge_max_visitors_week"]["value"] == str(
        int(find_number(r"at most (\d+) visitors", lounge))
    )
    report = record_row("A", "final report")[1]
    assert facts["final_report_isbn"]["value"] == re.search(r"ISBN ([\d-]+)", report).group(1)
    avain = record_sections()["A"]
    assert facts["avain_earlier_test_clients"]["value"] == str(int(find_number(r"Seinäjoki, (\d+) clients", avain)))
    components = re.search(r"four components, each assessed: ([^(]+)\(", avain.replace("\n", " ")).group(1)
    assert [c.strip() for c in re.split(r",\s*", components.strip().rstrip("."))] == [
        c.strip() for c in facts["avain_components"]["value"].split(";")
    ]


def test_pilot_municipalities_and_periods_match_the_record():
    rows = {r["name_fi"]: r for r in read_table("pilot_municipalities")}
    in_2018 = [n.strip() for n in record_row("A", "municipalities in 2018")[1].split(",")]
    assert sorted(in_2018) == sorted(n for n, r in rows.items() if "2018" in r["years_participating"].split(";"))
    assert "without Tornio" in record_row("A", "municipalities in 2019")[1]
    assert sorted(n for n, r in rows.items() if "2019" in r["years_participating"].split(";")) == sorted(
        set(in_2018) - {"Tornio"}
    )
    raisio = record_row("A", "Raisio's pilot period")[1]
    start, end = re.search(r"(\d{1,2} \w{3} \d{4}) – (\d{1,2} \w{3} \d{4})", raisio).groups()
    months = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
              "Oct": 10, "Nov": 11, "Dec": 12}  # fmt: skip

    def iso(text):
        day, month, year = text.split()
        return f"{year}-{months[month]:02d}-{int(day):02d}"

    assert (rows["Raisio"]["start_date"], rows["Raisio"]["end_date"]) == (iso(start), iso(end))
