"""The pilot analysis in sentences: the period explanation, the summary and the caveats.

``helpers.analysis.pilot`` returns numbers and structured facts (:class:`PilotAnalysis`,
:class:`PeriodDefinition`); this module turns them into the sentences the chapter prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np

from helpers.analysis.outcomes import get_outcome
from helpers.analysis.pilot import REFERENCE_YEAR, PeriodDefinition, PilotAnalysis, pilot_timing
from helpers.analysis.pilot_checks import placebo_tails
from helpers.chapters.pilot_checks_text import placebo_rule_sentence, placebo_verdict
from helpers.i18n import _, translated
from helpers.text import format_number, year_span


def _code_name(code: str, lang: str) -> str:
    from helpers.chapters.pilot_tables import code_name

    return code_name(code, lang)


def ordinal(n: int, lang: str = "en") -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 1,001st; '21.' in Finnish, '21:a'/'4:e' in Swedish."""
    if lang == "fi":
        return f"{format_number(n, 0, lang=lang)}."
    if lang == "sv":
        return f"{format_number(n, 0, lang=lang)}:{'a' if n % 10 in (1, 2) and n % 100 not in (11, 12) else 'e'}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def period_text(periods: PeriodDefinition, lang: str = "en") -> str:
    """Explain the pre- and post-periods, with Tornio's and Raisio's timing when they are analysed."""
    outcome = get_outcome(periods.outcome_id)
    pre, post = periods.pre_years, periods.post_years
    tornio, raisio = "851" in periods.municipalities, "680" in periods.municipalities
    if outcome.window == (0, 0):
        parts = [
            _(
                "Pre-period: {pre} (calendar years before the pilot). Post-period: {post} (pilot years).",
                lang,
                pre=year_span(pre),
                post=year_span(post),
            )
        ]
        if tornio and 2019 in post:
            parts.append(
                _(
                    "{tornio} took part in 2018 only, so its post-period is 2018 alone and its 2019 is "
                    "left out of the estimate.",
                    lang,
                    tornio=_code_name("851", lang),
                )
            )
        if raisio and 2017 in pre:
            parts.append(
                _(
                    "{raisio}'s pilot began on 1 Nov 2017, so its 2017 includes two pilot months.",
                    lang,
                    raisio=_code_name("680", lang),
                )
            )
        if 2020 in outcome.years:
            parts.append(
                _(
                    "2020 is after the pilot (and the COVID-19 year): it appears in the charts but in neither period.",
                    lang,
                )
            )
        return " ".join(parts)
    pre_cal = (min(pre) + outcome.window[0], max(pre) + outcome.window[1])
    post_desc = "; ".join(_describe_index(outcome, t, lang) for t in post)
    parts = [
        _(
            "Diak values are 3-year centred means: year_mid t covers t−1, t and t+1. Pre-period: "
            "year_mid {pre}, covering calendar years {first}–{last}, none of them "
            "a pilot year. Post-period: {post}; each window holds two pilot years and one year "
            "outside the pilot, so an effect would show diluted (about two thirds of a full-period "
            "effect).",
            lang,
            pre=year_span(pre),
            first=pre_cal[0],
            last=pre_cal[1],
            post=post_desc,
        )
    ]
    if tornio:
        parts.append(
            _(
                "{tornio} was in the pilot in 2018 only, so its post windows hold one pilot year of three.",
                lang,
                tornio=_code_name("851", lang),
            )
        )
    if raisio and max(pre) + outcome.window[1] >= 2017:
        parts.append(
            _(
                "{raisio}'s pilot began on 1 Nov 2017, so its last pre-period window includes two pilot months.",
                lang,
                raisio=_code_name("680", lang),
            )
        )
    parts.append(
        _(
            "year_mid 2017 (2016–2018) is in neither period: it mixes the first pilot year with two "
            "pre-pilot years. year_mid 2019 (2018–2020) also contains 2020, the first COVID-19 year, "
            "and year_mid 2020 (2019–2021) is mostly after the pilot.",
            lang,
        )
    )
    return " ".join(parts)


def _describe_index(outcome, t: int, lang: str) -> str:
    """``Outcome.describe_index`` ('year_mid 2018 = mean of 2017–2019') in the edition's words."""
    if lang == "en":
        return outcome.describe_index(t)
    if outcome.window == (0, 0):
        return str(t)
    cal = outcome.calendar_years(t)
    return _("year_mid {t} (mean of {first}–{last})", lang, t=t, first=cal[0], last=cal[-1])


def _weighting_words(analysis: PilotAnalysis) -> str:
    return "population-weighted" if analysis.parameters["weighting"] == "population" else "unweighted (equal weights)"


def pilot_summary(analysis: PilotAnalysis) -> dict[str, str]:
    """Sentences for the run: design, periods, estimate, pre_trend (when finite), placebo and its verdict."""
    outcome, pool, did, placebo = analysis.outcome, analysis.comparison, analysis.did, analysis.placebo
    unit = str(analysis.numbers["unit"])
    names = list(analysis.treated["name_fi"])
    weighting = _weighting_words(analysis)
    summary = {
        "design": (
            f"{_join(names)} ({len(names)} pilot municipalit{'y' if len(names) == 1 else 'ies'}) "
            f"against {len(pool)} comparison municipalities ({pool.description}); outcome: "
            f"{outcome.label} ({outcome.unit}); {weighting} means."
        ),
        "periods": period_text(analysis.periods),
        "estimate": (
            f"Difference-in-differences estimate: {format_number(did.estimate, 2, signed=True)} {unit}. Between the pre- "
            f"and post-period the pilot municipalities' {weighting} mean changed by "
            f"{format_number(did.treated_change, 2, signed=True)} and the comparison group's by {format_number(did.control_change, 2, signed=True)}."
        ),
    }
    slope = float(analysis.numbers["pre_trend_per_year"])  # type: ignore[arg-type]
    projection = float(analysis.numbers["pre_trend_projection"])  # type: ignore[arg-type]
    if np.isfinite(slope):
        summary["pre_trend"] = (
            f"Before the pilot the gap between the pilot municipalities and the comparison group "
            f"changed by {format_number(slope, 2, signed=True)} {unit} a year "
            f"({'years' if outcome.time_variable == 'year' else 'year_mid'} "
            f"{year_span(analysis.periods.pre_years)}); had that continued, it alone would give a "
            f"difference-in-differences of {format_number(projection, 2, signed=True)}."
        )
    if placebo is not None:
        how = (
            f"all {placebo.n_placebo:,} possible sets"
            if placebo.exhaustive
            else f"{placebo.n_placebo:,} random sets (seed {placebo.seed})"
        )
        tails = placebo_tails(did.estimate, placebo.estimates)
        summary["placebo"] = (
            f"Placebo check: {how} of {placebo.group_size} comparison "
            f"municipalit{'y' if placebo.group_size == 1 else 'ies'} were given the "
            "pilot's timing and the same estimate computed. " + placebo_rule_sentence(tails, did.estimate, unit)
        )
        summary["placebo_verdict"] = placebo_verdict(tails.p_value, placebo.n_placebo)
    return summary


def _incomplete_note(analysis: PilotAnalysis) -> str:
    outcome, incomplete = analysis.outcome, analysis.comparison.incomplete
    return (
        f"{len(incomplete)} municipalit{'y' if len(incomplete) == 1 else 'ies'} "
        "without a value in every year of this outcome "
        f"({outcome.time_variable} {outcome.years[0]}–{outcome.years[-1]}) or without a "
        f"{REFERENCE_YEAR} population left out of the comparison group: "
        + ", ".join(f"{analysis.names.get(c, ('?', ''))[0]} ({c})" for c in incomplete)
        + "."
    )


def pilot_notes(analysis: PilotAnalysis, lang: str = "en") -> list[str]:
    """The caveats the chapter states under its technical notes, in order."""
    outcome, did, treated, pool, placebo = (
        analysis.outcome,
        analysis.did,
        analysis.treated,
        analysis.comparison,
        analysis.placebo,
    )
    if lang == "en":
        return _english_notes(analysis)
    unit = str(analysis.numbers["unit"])
    projection = float(analysis.numbers["pre_trend_projection"])  # type: ignore[arg-type]
    notes = [
        _(
            "Exploratory: the pilot's own outcome figures (Kela register, AVAIN) are not public; these "
            "are municipal aggregates that include everyone, not only the pilot's clients.",
            lang,
        ),
        _(
            "The pilot municipalities were not chosen at random, so the comparison group shows what "
            "happened elsewhere, not what would have happened in the pilot municipalities.",
            lang,
        ),
        translated(outcome.interpretation.strip(), lang),
    ]
    if np.isfinite(projection) and abs(projection) >= 0.5 * abs(did.estimate):
        notes.append(
            _(
                "Parallel trends are doubtful here: the pre-period trend of the gap alone would produce "
                "{projection} of the {estimate} estimate ({unit}); read the event study, not the single number.",
                lang,
                projection=format_number(projection, 2, signed=True, lang=lang),
                estimate=format_number(did.estimate, 2, signed=True, lang=lang),
                unit=_unit(unit, lang),
            )
        )
    if "851" in treated["municipality_code"].values:
        notes.append(
            _(
                "{tornio} took part in 2018 only: its estimate uses only post years whose data contain "
                "2018 (post years used: {years}).",
                lang,
                tornio=_code_name("851", lang),
                years=year_span(cast(list[int], treated.set_index("municipality_code").at["851", "post_years_used"])),
            )
        )
    if "680" in treated["municipality_code"].values:
        notes.append(
            _(
                "{raisio}'s own pilot period began on 1 Nov 2017: its 2017 contains two pilot months, "
                "counted as pre-period here.",
                lang,
                raisio=_code_name("680", lang),
            )
        )
    if analysis.parameters["weighting"] == "population":
        top = treated.sort_values("weight_share", ascending=False).head(2)
        largest = ", ".join(
            f"{_code_name(code, lang)} {format_number(100 * share, 0, lang=lang)}\u00a0%"
            for code, share in zip(top["municipality_code"], top["weight_share"], strict=True)
        )
        notes.append(
            _(
                "Weights: population on 31 Dec {year} (Sotkanet, 2022 division) for every municipality; "
                "largest shares of the pilot group's weight: {largest}.",
                lang,
                year=REFERENCE_YEAR,
                largest=largest,
            )
            if len(treated) > 1
            else _(
                "Weights: population on 31 Dec {year} (Sotkanet, 2022 division) for every municipality.",
                lang,
                year=REFERENCE_YEAR,
            )
        )
    if outcome.id == "unemployment_rate":
        notes.append(_("Annual unemployment rates are means of monthly counts; 2020 covers January–October.", lang))
    notes.extend(translated(n, lang) for n in pool.notes if "without complete data" not in n)
    if pool.incomplete:
        notes.append(
            _(
                "{n} municipalities without a value in every year of this outcome ({time} {first}–{last}) "
                "or without a {year} population left out of the comparison group: {names}.",
                lang,
                n=len(pool.incomplete),
                time=outcome.time_variable,
                first=outcome.years[0],
                last=outcome.years[-1],
                year=REFERENCE_YEAR,
                names=", ".join(f"{_municipality(analysis, c, lang)} ({c})" for c in pool.incomplete),
            )
        )
    if placebo is not None:
        notes.extend(translated(n, lang) for n in placebo.notes)
        notes.append(
            _(
                "The placebo distribution shows how much the same estimate varies when the 'pilot' is "
                "a random set of comparison municipalities; it is not a sampling confidence interval.",
                lang,
            )
        )
    notes.append(
        _(
            "Coverage: {n} municipalities (2022 division) appear in the {dataset} data for this outcome.",
            lang,
            n=analysis.numbers["n_municipalities_with_data"],
            dataset=outcome.source_dataset,
        )
        + (
            " " + _("(Diak's panel leaves out the Åland municipalities.)", lang)
            if outcome.source_dataset == "diak_indices"
            else ""
        )
    )
    return notes


def _unit(unit: str, lang: str) -> str:
    from helpers.chapters.pilot_tables import did_unit

    return did_unit(unit, lang)


def _municipality(analysis: PilotAnalysis, code: str, lang: str) -> str:
    name_fi, name_sv = analysis.names.get(code, ("?", ""))
    return (name_sv or name_fi) if lang == "sv" else name_fi


def _english_notes(analysis: PilotAnalysis) -> list[str]:
    """The caveats the chapter states under its technical notes, in order."""
    outcome, did, treated, pool, placebo = (
        analysis.outcome,
        analysis.did,
        analysis.treated,
        analysis.comparison,
        analysis.placebo,
    )
    unit = str(analysis.numbers["unit"])
    projection = float(analysis.numbers["pre_trend_projection"])  # type: ignore[arg-type]
    notes = [
        "Exploratory: the pilot's own outcome figures (Kela register, AVAIN) are not public; these "
        "are municipal aggregates that include everyone, not only the pilot's clients.",
        "The pilot municipalities were not chosen at random, so the comparison group shows what "
        "happened elsewhere, not what would have happened in the pilot municipalities.",
        outcome.interpretation,
    ]
    if np.isfinite(projection) and abs(projection) >= 0.5 * abs(did.estimate):
        notes.append(
            "Parallel trends are doubtful here: the pre-period trend of the gap alone would produce "
            f"{format_number(projection, 2, signed=True)} of the {format_number(did.estimate, 2, signed=True)} estimate ({unit}); read the event "
            "study, not the single number."
        )
    if "851" in treated["municipality_code"].values:
        notes.append(
            "Tornio took part in 2018 only: its estimate uses only post years whose data contain "
            "2018 (post years used: "
            f"{year_span(cast(list[int], treated.set_index('municipality_code').at['851', 'post_years_used']))})."
        )
    if "680" in treated["municipality_code"].values:
        notes.append(pilot_timing()["680"].note)
    if analysis.parameters["weighting"] == "population":
        top = treated.sort_values("weight_share", ascending=False).head(2)
        largest = ", ".join(
            f"{name} {100 * share:.0f}%" for name, share in zip(top["name_fi"], top["weight_share"], strict=True)
        )
        notes.append(
            f"Weights: population on 31 Dec {REFERENCE_YEAR} (Sotkanet, 2022 division) for every "
            "municipality" + (f"; largest shares of the pilot group's weight: {largest}." if len(treated) > 1 else ".")
        )
    if outcome.id == "unemployment_rate":
        notes.append("Annual unemployment rates are means of monthly counts; 2020 covers January–October.")
    if pool.incomplete:  # name them instead of listing bare codes
        notes.extend([n for n in pool.notes if "without complete data" not in n] + [_incomplete_note(analysis)])
    else:
        notes.extend(pool.notes)
    if placebo is not None:
        notes.extend(placebo.notes)
        notes.append(
            "The placebo distribution shows how much the same estimate varies when the 'pilot' is "
            "a random set of comparison municipalities; it is not a sampling confidence interval."
        )
    notes.append(
        f"Coverage: {analysis.numbers['n_municipalities_with_data']} municipalities (2022 division) appear in the "
        f"{outcome.source_dataset} data for this outcome"
        + (" (Diak's panel leaves out the Åland municipalities)." if outcome.source_dataset == "diak_indices" else ".")
    )
    return notes
