"""`python -m helpers data …`: check, list, refresh the data release; update the catalogue."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _print_err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cmd_check(args: argparse.Namespace) -> int:
    from helpers.data.checks import check_release
    from helpers.errors import DataError

    def progress(rid, found):
        status = "ok" if not found else f"{len(found)} problem(s)"
        print(f"checked {rid}: {status}", flush=True)
        for p in found:
            _print_err(f"  {p}")

    problems = check_release(args.mirror, args.dataset or None, progress=progress)
    if problems:
        _print_err(f"data check FAILED: {len(problems)} problem(s) in {len({p.dataset for p in problems})} dataset(s)")
        return DataError.exit_code
    print("data check passed: every resource present, checksums, encodings, schemas and municipality codes ok")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from helpers.data import catalogue, loaders
    from helpers.errors import BookError

    status = 0
    for rid, res in catalogue.resources().items():
        if res.get("x-role") == "api-sample" and not args.all:
            continue
        kind = loaders.loader_name(res)
        try:
            if kind in loaders.TIDY:
                rows = f"{len(loaders.load(rid)):>7} rows"
            elif res.get("format") == "topojson":
                obj = res.get("x-topojson", {}).get("object")
                rows = f"{len(loaders.load_topojson(rid)['objects'][obj]['geometries']):>7} areas"
            else:
                rows = (
                    f"{res.get('x-rows', '-')!s:>7} rows (raw)"
                    if res.get("x-rows") is not None
                    else "      - (fixture)"
                )
        except BookError as exc:
            rows = "  ERROR"
            _print_err(f"{rid}: {str(exc).splitlines()[0]}")
            status = exc.exit_code
        print(f"{rid:<36} {rows}  {res.get('x-location', 'mirror'):<6} {res.get('path')}")
    return status


def cmd_catalogue(args: argparse.Namespace) -> int:
    from helpers.data.facts import update_fact_tables

    if not args.update_facts:
        from helpers.data.catalogue import catalogue_table

        print(catalogue_table().to_string(index=False))
        return 0
    changes = update_fact_tables(write=not args.dry_run)
    for c in changes:
        print(c)
    if not changes:
        print("data/datapackage.json: fact tables already up to date")
    elif args.dry_run:
        print("(dry run: nothing written)")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from helpers.data.refresh import RefreshConfig, refresh

    config = RefreshConfig(
        years=args.years or [2019],
        population_years=args.population_years or list(range(2000, 2023)),
        unemployment_years=args.unemployment_years or list(range(2006, 2021)),
        indicators=args.indicators,
        sotkanet_base_url=args.base_url or RefreshConfig.sotkanet_base_url,
        statfin_url=args.statfin_url or RefreshConfig.statfin_url,
        timeout=args.timeout,
        retries=args.retries,
        backoff=args.backoff,
        deadline=args.deadline,
        skip=set(args.skip or []),
    )
    if args.max_response_mb is not None:
        config.max_response_mb = {name: args.max_response_mb for name in config.max_response_mb}
    dest = Path(args.dest) if args.dest else None
    result = refresh(config, dest=dest, log=lambda m: print(m, flush=True))
    print(f"data release written to {result}")
    return 0


def add_data_commands(subparsers) -> None:
    """Add `data {check,list,refresh,catalogue}` to the book's argparse sub-commands."""
    data = subparsers.add_parser(
        "data",
        help="check, list or refresh the data release; update the catalogue",
        description="The book's data: the release read from BOOK_DATA_MIRROR (or .cache/data-release/), "
        "catalogued in data/datapackage.json.",
    )
    sub = data.add_subparsers(dest="data_command", required=True, metavar="DATA_COMMAND")

    check = sub.add_parser(
        "check",
        help="verify every resource: present, sha256, UTF-8, schema, keys, municipality codes",
        description="Check every catalogued resource of the data release and the committed fact tables. "
        "Lists every problem (file, line/column, expected vs found); exit code 3 when any is found.",
    )
    check.add_argument("--mirror", metavar="PATH", help="the data release to check (default: BOOK_DATA_MIRROR)")
    check.add_argument("--dataset", action="append", metavar="ID", help="check only this dataset (repeatable)")
    check.set_defaults(func=cmd_check)

    lst = sub.add_parser("list", help="list datasets with their row counts")
    lst.add_argument("--all", action="store_true", help="include the recorded API samples")
    lst.set_defaults(func=cmd_list)

    cat = sub.add_parser("catalogue", help="show the catalogue; --update-facts re-registers data/facts/*.csv")
    cat.add_argument(
        "--update-facts",
        action="store_true",
        help="recompute sha256, size, rows and schema of every data/facts/*.csv in data/datapackage.json",
    )
    cat.add_argument("--dry-run", action="store_true", help="with --update-facts: report changes, write nothing")
    cat.set_defaults(func=cmd_catalogue)

    ref = sub.add_parser(
        "refresh",
        help="download Sotkanet and StatFin data into a new validated release",
        description="Fetch Sotkanet indicators (REST /rest/1.1/json) and StatFin unemployment (PxWeb v1, "
        "json-stat2) into a temporary folder, validate, then atomically replace the destination "
        "release (default .cache/data-release/). The last good release is never touched on failure.",
    )
    ref.add_argument(
        "--years", type=int, nargs="+", metavar="YEAR", help="years of the Sotkanet indicators (default 2019)"
    )
    ref.add_argument(
        "--population-years", type=int, nargs="+", metavar="YEAR", help="population years (default 2000-2022)"
    )
    ref.add_argument(
        "--unemployment-years",
        type=int,
        nargs="+",
        metavar="YEAR",
        help="years of the monthly StatFin unemployment data (default 2006-2020)",
    )
    ref.add_argument(
        "--indicators", type=int, nargs="+", metavar="ID", help="Sotkanet indicator ids (default: the book's 15)"
    )
    ref.add_argument("--base-url", help="Sotkanet REST base (default https://sotkanet.fi/rest/1.1)")
    ref.add_argument("--statfin-url", help="StatFin PxWeb v1 table URL for the unemployment data")
    ref.add_argument("--dest", metavar="DIR", help="release folder to (re)write (default .cache/data-release/)")
    ref.add_argument(
        "--timeout", type=float, default=30.0, help="seconds for each request, whole answer included (default 30)"
    )
    ref.add_argument(
        "--deadline", type=float, default=1800.0, help="seconds for the whole refresh, retries included (default 1800)"
    )
    ref.add_argument(
        "--max-response-mb",
        type=float,
        metavar="MB",
        help="largest answer accepted, for every dataset (default per dataset: 8 MB metadata to 256 MB StatFin)",
    )
    ref.add_argument("--retries", type=int, default=4, help="retries per request (default 4)")
    ref.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds, doubled each time")
    ref.add_argument("--skip", nargs="+", choices=["sotkanet", "population", "unemployment"], help="parts not to fetch")
    ref.set_defaults(func=cmd_refresh)
