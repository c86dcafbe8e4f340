"""Analysis on top of ``helpers.data``: pure functions returning tidy DataFrames for charts.

Modules of the pilot chapter (other chapters' modules live alongside):

* ``outcomes``: the pilot chapter's outcome registry (``OUTCOMES``) and ``outcome_panel``;
* ``did``: difference-in-differences, event study and vectorised placebo inference;
* ``comparison_groups``: comparison-group selection (all, same region, same urban-rural group, matched);
* ``pilot``: the pilot's timing, period definitions, parameter validation,
  ``run_pilot_analysis`` and the 2019 context table.

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
