"""Data layer of the book: the data release (mirror), the catalogue, loading, municipalities.

Public API (see data/README.md for provenance and caveats):
    mirror_path() -> Path
    load(dataset_id) -> DataFrame           checksum- and schema-checked, tidy, cached
    load_topojson("boundaries_2017" | "boundaries_2021") -> dict
    describe(dataset_id, raw=False) -> DataFrame   column names, types, descriptions, units
    catalogue_table() -> DataFrame          the "Data and sources" table
    dataset_checksums() -> dict[str, str]   id -> sha256 of the files in use (run records)
    dataset_ids() -> list[str]
    benchmark_load_all() -> dict[str, (rows, seconds)]
    municipalities                          reference(year), resolve(), harmonise(), pilot_table()
"""

from helpers.data import municipalities
from helpers.data.catalogue import catalogue_table, dataset_ids, describe
from helpers.data.loaders import benchmark_load_all, clear_cache, dataset_checksums, load, load_topojson
from helpers.data.paths import mirror_path

__all__ = [
    "benchmark_load_all",
    "catalogue_table",
    "clear_cache",
    "dataset_checksums",
    "dataset_ids",
    "describe",
    "load",
    "load_topojson",
    "mirror_path",
    "municipalities",
]
