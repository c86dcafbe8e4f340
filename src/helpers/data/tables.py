"""Reading a CSV against its Table Schema: decoding, header, types, constraints, primary key.

Used both by `load()` (which raises on the first batch of problems) and by `data check` (which
collects every problem). Problems name the file, line and column, and expected vs found.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5  # per column and kind of problem, the rest are counted


@dataclass(frozen=True)
class Problem:
    dataset: str
    file: str
    kind: str  # missing-file, checksum, encoding, header, type, constraint, primary-key, municipality, ...
    message: str
    line: int | None = None  # 1-based line in the file (the header is line 1)
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"[{self.dataset}] {where}: {self.message}"


def decode_utf8(raw: bytes, dataset: str, file: str) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        found = raw[max(0, exc.start - 10) : exc.end + 10]
        return None, [
            Problem(
                dataset,
                file,
                "encoding",
                f"not valid UTF-8 (expected UTF-8, found byte 0x{raw[exc.start]:02x} at offset {exc.start}, "
                f"near {found!r}; the file may be latin-1/cp1252). Fix: restore the file from the data release.",
                line=line,
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def read_strings(text: str, dataset: str, file: str, delimiter: str = ",") -> tuple[pd.DataFrame | None, list[Problem]]:
    """Every cell as a string ('' for empty) — types are checked against the schema afterwards."""
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c", sep=delimiter
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        m = re.search(r"line (\d+)", msg)
        return None, [
            Problem(
                dataset,
                file,
                "parse",
                f"not a readable CSV table ({msg}). Fix: restore the file from the data release.",
                line=int(m.group(1)) if m else None,
            )
        ]
    return df, []


def _examples(lines: np.ndarray, values: pd.Series) -> str:
    shown = [f"line {int(ln)}: {v!r}" for ln, v in zip(lines[:MAX_EXAMPLES], values.iloc[:MAX_EXAMPLES])]
    more = len(lines) - MAX_EXAMPLES
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def typed_table(
    strings: pd.DataFrame, schema: dict, dataset: str, file: str, *, check_values: bool = True
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert the schema's columns to their types and check header, types, constraints, primary key.

    Returns the typed frame (extra columns kept as strings; unparseable cells NaN) and problems.
    """
    problems: list[Problem] = []
    fields = schema.get("fields", [])
    names = [f["name"] for f in fields]
    missing = [n for n in names if n not in strings.columns]
    if missing:
        problems.append(
            Problem(
                dataset,
                file,
                "header",
                f"missing column(s) {missing} (expected header to contain {names}; found {list(strings.columns)}). "
                "Fix: restore the file from the data release, or update the schema in data/datapackage.json if the "
                "publisher changed the format.",
                line=1,
            )
        )
    typed = strings.copy()
    line_no = np.arange(2, len(strings) + 2)  # data rows start at line 2
    for field in fields:
        name = field["name"]
        if name not in strings.columns:
            continue
        col = strings[name]
        empty = (col == "").to_numpy()
        kind = field.get("type", "string")
        if kind == "integer":
            ok = col.str.fullmatch(r"[+-]?\d+").to_numpy(dtype=bool, na_value=False)
            bad = ~ok & ~empty
            values = pd.to_numeric(col.where(ok, None), errors="coerce")
            if not empty.any() and not bad.any():
                values = values.astype("int64")
            else:
                values = values.astype("float64")
        elif kind == "number":
            values = pd.to_numeric(col.where(~empty, None), errors="coerce").astype("float64")
            bad = values.isna().to_numpy() & ~empty
        else:
            values = col
            bad = np.zeros(len(col), dtype=bool)
        if bad.any():
            problems.append(
                Problem(
                    dataset,
                    file,
                    "type",
                    f"{int(bad.sum())} value(s) are not of type {kind} (expected {kind}; found {_examples(line_no[bad], col[bad])})",
                    line=int(line_no[bad][0]),
                    column=name,
                )
            )
        typed[name] = values
        if not check_values:
            continue
        cons = field.get("constraints", {})
        if cons.get("required") and empty.any():
            problems.append(
                Problem(
                    dataset,
                    file,
                    "constraint",
                    f"{int(empty.sum())} empty value(s) in a required column (expected a value; found empty at "
                    f"{_examples(line_no[empty], col[empty])})",
                    line=int(line_no[empty][0]),
                    column=name,
                )
            )
        present = ~empty & ~bad
        if kind in ("integer", "number"):
            num = values.to_numpy(dtype="float64", na_value=np.nan)
            for bound, op in (("minimum", np.less), ("maximum", np.greater)):
                if bound in cons:
                    with np.errstate(invalid="ignore"):
                        out = present & op(num, cons[bound])
                    if out.any():
                        problems.append(
                            Problem(
                                dataset,
                                file,
                                "constraint",
                                f"{int(out.sum())} value(s) outside the range (expected {bound} {cons[bound]}; found "
                                f"{_examples(line_no[out], col[out])})",
                                line=int(line_no[out][0]),
                                column=name,
                            )
                        )
        if "enum" in cons:
            allowed = {str(v) for v in cons["enum"]}
            if kind in ("integer", "number"):
                allowed_num = {float(v) for v in cons["enum"]}
                num = values.to_numpy(dtype="float64", na_value=np.nan)
                out = present & ~np.isin(num, list(allowed_num))
            else:
                out = present & ~col.isin(allowed).to_numpy()
            if out.any():
                shown = sorted(allowed)[:12]
                problems.append(
                    Problem(
                        dataset,
                        file,
                        "constraint",
                        f"{int(out.sum())} value(s) not among the allowed values (expected one of {shown}"
                        f"{' …' if len(allowed) > 12 else ''}; found {_examples(line_no[out], col[out])})",
                        line=int(line_no[out][0]),
                        column=name,
                    )
                )
        if "pattern" in cons:
            okp = col.str.fullmatch(cons["pattern"]).to_numpy(dtype=bool, na_value=False)
            out = present & ~okp
            if out.any():
                problems.append(
                    Problem(
                        dataset,
                        file,
                        "constraint",
                        f"{int(out.sum())} value(s) do not match the pattern (expected {cons['pattern']}; found "
                        f"{_examples(line_no[out], col[out])})",
                        line=int(line_no[out][0]),
                        column=name,
                    )
                )
    key = schema.get("primaryKey")
    if check_values and key and all(k in strings.columns for k in key):
        dup = strings.duplicated(subset=list(key), keep=False).to_numpy()
        if dup.any():
            first = strings[dup].iloc[0]
            problems.append(
                Problem(
                    dataset,
                    file,
                    "primary-key",
                    f"{int(dup.sum())} row(s) share a primary key {list(key)} (expected unique; found duplicates, e.g. "
                    f"{dict(first[list(key)])} at lines {', '.join(str(int(x)) for x in line_no[dup][:MAX_EXAMPLES])})",
                    line=int(line_no[dup][0]),
                    column=",".join(key),
                )
            )
    return typed, problems


def read_table(
    path: Path, schema: dict, dataset: str, *, check_values: bool = True, delimiter: str = ","
) -> tuple[pd.DataFrame | None, list[Problem]]:
    raw = Path(path).read_bytes()
    text, problems = decode_utf8(raw, dataset, str(path))
    if text is None:
        return None, problems
    strings, problems = read_strings(text, dataset, str(path), delimiter)
    if strings is None:
        return None, problems
    return typed_table(strings, schema, dataset, str(path), check_values=check_values)
