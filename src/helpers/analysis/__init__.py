"""Analysis on top of ``helpers.data``: functions returning tidy DataFrames and numbers for the chapters.

Modules of the pilot chapter (other chapters' modules live alongside):

* ``outcomes``: the pilot chapter's outcome registry (``OUTCOMES``) and ``outcome_panel``;
* ``did``: difference-in-differences, event study and vectorised placebo inference;
* ``comparison_groups``: comparison-group selection (all, same region, same urban-rural group, matched);
* ``pilot_timing``: the pilot's timing (from its fact table) and the pre/post periods;
* ``pilot_parameters``: the engine's checks of a parameter set (run once, by the chapter's ``validate``);
* ``pilot_context``: the pilot municipalities among all municipalities in 2019;
* ``pilot``: the analysis (``analyse``; ``run_pilot_analysis`` checks first), re-exporting the above.

Other chapters: ``indicators`` (the indicator registry), ``municipal_comparisons`` (with
``municipal_indicators``, ``unemployment_trends``, ``peers``), ``overview``, ``national``, ``survey``.
Sentences and captions are written in ``helpers.chapters``, not here.

Submodules are imported on first use (``helpers.analysis.run_pilot_analysis`` works), so importing
the package stays cheap.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "OUTCOMES": "outcomes",
    "Outcome": "outcomes",
    "outcome_panel": "outcomes",
    "did_estimate": "did",
    "event_study": "did",
    "placebo_distribution": "did",
    "DidResult": "did",
    "PlaceboResult": "did",
    "comparison_pool": "comparison_groups",
    "ComparisonPool": "comparison_groups",
    "COMPARISON_METHODS": "comparison_groups",
    "pilot_timing": "pilot",
    "periods_for": "pilot",
    "validate_pilot_parameters": "pilot",
    "run_pilot_analysis": "pilot",
    "PilotAnalysis": "pilot",
    "pilot_context_2019": "pilot",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'helpers.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
