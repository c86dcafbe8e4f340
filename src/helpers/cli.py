"""`python -m helpers`: build the book, run one notebook, check and refresh the data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.errors import BookError, Terminated

DESCRIPTION = """\
The research book on Finnish social assistance: build it, re-run its notebooks with new
parameters, check or refresh its data. The data release is read from BOOK_DATA_MIRROR."""


def _run(args: argparse.Namespace) -> int:
    from helpers.book.build import run_single
    from helpers.book.locking import output_lock
    from helpers.book.outputs import check_notebook_input, check_run_output
    from helpers.book.params import CliText
    from helpers.book.yaml_params import check_cli_value, parse_yaml_mapping

    notebook = check_notebook_input(Path(args.notebook))
    output = Path(args.output) if args.output else Path("build") / notebook.name
    check_run_output(notebook, output, overwrite_source=args.overwrite_source)
    given: dict = {}
    for mapping in args.yaml or []:
        given.update(parse_yaml_mapping(mapping))
    for name, value in args.parameter or []:
        given[name] = CliText(check_cli_value(name, value))
    with output_lock(output, f"run {notebook.name} -> {output}"):
        return run_single(notebook, output, given)


def _build(args: argparse.Namespace) -> int:
    from helpers.book.build import build_book

    return build_book(force=args.force, scheduler=args.scheduler, workers=args.workers)


def _i18n(args: argparse.Namespace) -> int:
    from helpers.book import i18n_catalogues

    if args.action == "update":
        i18n_catalogues.update_code_catalogues()
        i18n_catalogues.update_prose_catalogues()
        return 0
    return i18n_catalogues.check()


def _validate(args: argparse.Namespace) -> int:
    from helpers.book.build import validate_plan
    from helpers.book.runplan import load_run_plan

    plan = load_run_plan()
    validated = validate_plan(plan)
    runs: dict[str, int] = {}  # an unpublished family (a sweep of hundreds of runs) is one line
    for page in plan.notebook_pages():
        if page.publish:
            print(f"{page.page}: ok {validated[page.page]}")
        else:
            runs[page.family or page.page] = runs.get(page.family or page.page, 0) + 1
    for family, count in runs.items():
        print(f"family {family}: ok, {count} runs (not pages)")
    return 0


def _toc(args: argparse.Namespace) -> int:
    from helpers.book.runplan import load_run_plan, toc_text
    from helpers.paths import BOOK_DIR

    text = toc_text(load_run_plan())
    target = BOOK_DIR / "_toc.yml"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print("book/_toc.yml differs from the run plan; run `python -m helpers toc`", file=sys.stderr)
            return 1
        print("book/_toc.yml matches the run plan")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _reference(args: argparse.Namespace) -> int:
    from helpers.book.locking import book_lock
    from helpers.book.reference import execute_reference_editions

    with book_lock("reference"):
        return execute_reference_editions(args.notebooks, scheduler=args.scheduler, workers=args.workers)


def _sweep(args: argparse.Namespace) -> int:
    import time

    from helpers.book.build import run_families, say
    from helpers.book.locking import book_lock

    started = time.perf_counter()
    with book_lock("sweep"):
        results = run_families(args.families or None, scheduler=args.scheduler, workers=args.workers)
    executed = sum(1 for result in results if not result.cached)
    say(
        f"{len(results)} runs: {executed} executed, {len(results) - executed} reused, {time.perf_counter() - started:.1f} s"
    )
    return 0


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """The options every command that executes many notebooks takes."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the notebooks on the Dask distributed cluster at ADDRESS (e.g. tcp://10.0.0.5:8786) "
        "instead of the local warm kernels; workers need the project installed and the data release "
        "at the same path",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="local warm kernels running at once (default: one per core)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="execute one notebook with parameters (validated before the kernel starts)",
        description="Execute one notebook with papermill (kernel python3). Parameters are checked against the "
        "notebook's parameters cell and the data before any kernel starts.",
        epilog="example: python -m helpers run notebooks/pilot.ipynb -o build/tampere.ipynb "
        "-p outcome unemployment_rate -y '{municipalities: [Tampere]}'",
    )
    run.add_argument("notebook", help="the notebook to run, e.g. notebooks/pilot.ipynb")
    run.add_argument("-o", "--output", help="where to write the executed notebook (default build/NAME.ipynb)")
    run.add_argument(
        "--overwrite-source",
        action="store_true",
        help="allow -o to replace a notebook tracked by git or an existing non-notebook file",
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a scalar parameter, as papermill takes it (repeatable)",
    )
    run.add_argument(
        "-y",
        "--yaml",
        action="append",
        metavar="YAML",
        help="parameters as a YAML mapping, e.g. '{municipalities: [Tampere, Kuopio]}'",
    )
    run.set_defaults(func=_run)

    build = commands.add_parser(
        "build",
        help="build the whole book from book/runplan.yml",
        description="Validate every page's parameters, execute the notebooks whose inputs changed, build the "
        "book with Jupyter Book and swap it into book/_build/html only when the build succeeded.",
    )
    build.add_argument("--force", action="store_true", help="rebuild the HTML even when nothing changed")
    add_batch_options(build)
    build.set_defaults(func=_build)

    i18n = commands.add_parser(
        "i18n", help="translations: `update` the catalogues from the sources, `check` what is untranslated"
    )
    i18n.add_argument("action", choices=["update", "check"])
    i18n.set_defaults(func=_i18n)

    validate = commands.add_parser("validate", help="validate the run plan's parameters without running anything")
    validate.set_defaults(func=_validate)

    toc = commands.add_parser("toc", help="write book/_toc.yml from the run plan (--check to compare)")
    toc.add_argument("--check", action="store_true", help="only check that book/_toc.yml matches")
    toc.set_defaults(func=_toc)

    reference = commands.add_parser(
        "reference", help="re-execute notebooks/ in place with default parameters (the reference edition nbval checks)"
    )
    reference.add_argument("notebooks", nargs="*", help="notebooks to re-execute (default: all in notebooks/)")
    add_batch_options(reference)
    reference.set_defaults(func=_reference)

    sweep = commands.add_parser(
        "sweep",
        help="execute the runs of unpublished families (e.g. pilot-specifications) without building the book",
        description="Validate and execute (through the batch engine, cached like the build) the runs of the "
        "families named, by default every family a page of the book needs; the chapters read their results.",
    )
    sweep.add_argument("families", nargs="*", help="family names from book/runplan.yml (default: every needed one)")
    add_batch_options(sweep)
    sweep.set_defaults(func=_sweep)

    try:
        from helpers.data.cli import add_data_commands
    except ImportError:
        pass
    else:
        add_data_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BookError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated as error:
        print(f"error: {error}", file=sys.stderr)
        return Terminated.exit_code
