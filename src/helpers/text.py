"""Text helpers shared by every layer (imports nothing from helpers): nearest valid names on a typo."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest_names(value: object, choices: Iterable[str], n: int = 3, cutoff: float = 0.4) -> list[str]:
    """Up to `n` of `choices` closest to `value` (difflib similarity >= `cutoff`), best first.

    Error messages use this to name the valid ids nearest a typo; `cutoff=0.0` always returns
    `n` names (when there are that many choices).
    """
    return difflib.get_close_matches(str(value), list(choices), n=n, cutoff=cutoff)
