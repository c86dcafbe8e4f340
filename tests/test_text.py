"""The book's one number formatter, ready for the Finnish, Swedish and English editions."""

from __future__ import annotations

import pytest

from helpers.text import MISSING, format_number, format_percent, nearest_names

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "digits", "signed", "lang", "expected"),
    [
        (235239, None, False, "fi", f"235{NBSP}239"),
        (235239, None, False, "sv", f"235{NBSP}239"),
        (235239, None, False, "en", "235,239"),
        (1234567.891, 2, False, "fi", f"1{NBSP}234{NBSP}567,89"),
        (1234567.891, 2, False, "en", "1,234,567.89"),
        (-1.2345, 2, True, "en", "\u22121.23"),
        (-1.2345, 2, True, "sv", "\u22121,23"),
        (0.75, 2, True, "fi", "+0,75"),
        (716.0, None, False, "en", "716"),  # a published whole number keeps no decimals
        (2.5, None, False, "fi", "2,5"),  # a published figure keeps its own decimals
        (-3, None, True, "en", "\u22123"),
    ],
)
def test_numbers_in_each_language(value, digits, signed, lang, expected):
    assert format_number(value, digits, signed=signed, lang=lang) == expected


def test_percentages_use_a_decimal_comma_and_a_non_breaking_space_in_finnish_and_swedish():
    assert format_percent(12.34, lang="fi") == f"12,3{NBSP}%"
    assert format_percent(12.34, lang="sv") == f"12,3{NBSP}%"
    assert format_percent(12.34, lang="en") == "12.3 %"


def test_missing_values_read_no_data_and_unknown_languages_fail():
    assert format_number(float("nan")) == MISSING and format_number(None) == MISSING
    assert format_percent(None, lang="fi") == MISSING
    with pytest.raises(ValueError, match="lang must be one of en, fi, sv"):
        format_number(1.0, lang="de")


def test_nearest_names_name_the_closest_choices_first():
    assert nearest_names("Tampre", ["Tampere", "Tammela", "Turku"]) == ["Tampere", "Tammela"]
    assert nearest_names("zzz", ["Tampere"]) == []


def test_year_span_joins_consecutive_years_and_lists_gaps():
    from helpers.text import year_span

    assert year_span([2015, 2013, 2014]) == "2013–2015"
    assert year_span([2013, 2015]) == "2013, 2015"
    assert year_span([2017]) == "2017"
    assert year_span([]) == "none"
