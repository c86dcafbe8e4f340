"""Chapter: data and sources (notebooks/data_and_sources.ipynb), generated from the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers import data
from helpers.chapters.model import param, typed_values
from helpers.chapters.numbering import Numbering, numbering

NAME = "data_and_sources"


@dataclass(frozen=True)
class Params:
    include_samples: bool = param(False, "also list the recorded API responses used by the offline tests")


def validate(given: Mapping[str, Any]) -> Params:
    return Params(**typed_values(Params, given))


@dataclass
class DataAndSourcesPage:
    params: Params
    numbering: Numbering
    catalogue: pd.DataFrame


def prepare(params: Params) -> DataAndSourcesPage:
    return DataAndSourcesPage(
        params=params,
        numbering=numbering(NAME),
        catalogue=data.catalogue_table(include_samples=params.include_samples),
    )
