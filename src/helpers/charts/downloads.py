"""Downloads under every figure: the data as CSV, the chart as SVG and PNG, the Vega-Lite spec.

When a figure is shown (in the build's notebook run), its Vega-Lite spec and one CSV per data
set it draws are written beside its chart data (``chart-data/<figure>.*``). The CSV holds the
rows of the published chart-data file, the very values the chart draws, under a ``#`` header
that says what the figure is, what each column is (from the chart's own axis and tooltip
titles) and where the data come from. SVG and PNG are rendered with vl-convert when the book
is assembled (``figure_images``), cached by a hash of the spec with its data inlined, so a
rebuild with nothing changed renders nothing.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SPEC_SUFFIX = ".vl.json"
PNG_SCALE = 2  # twice the on-screen size: sharp in documents and slides
SOURCES_NOTE = "the sources of every data set are listed on the book's page 'Data and sources'"


def vl_convert_version() -> str:
    """The installed vl-convert's version (its type stub does not declare `__version__`)."""
    return importlib.metadata.version("vl-convert-python")


def figure_stem(number: str, div_id: str) -> str:
    """The file name stem of a figure's downloads, e.g. ``figure-3.2-ab12cd34ef56``."""
    return f"figure-{number}-{div_id.removeprefix('fig-')}"


def spec_nodes(spec: Any):
    """Every mapping inside a chart spec, depth first (layers, concats, transforms, params...).

    Here rather than in render.py, which imports this module: one traversal for both."""
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def tabular_data_urls(spec: dict, prefix: str) -> list[str]:
    """The published record files a spec draws (TopoJSON boundaries are not tables), each once."""
    urls = []
    for node in spec_nodes(spec):
        url = node.get("url")
        if isinstance(url, str) and url.startswith(prefix):
            if (node.get("format") or {}).get("type") == "topojson":
                continue
            urls.append(url)
    return list(dict.fromkeys(urls))


def column_titles(spec: dict) -> dict[str, str]:
    """What each field is, as the chart labels it: axis, legend and tooltip titles, with the field type."""
    titles: dict[str, str] = {}
    for node in spec_nodes(spec):
        field = node.get("field")
        if not isinstance(field, str) or "type" not in node:
            continue
        title = node.get("title")
        kind = {"quantitative": "number", "temporal": "date", "ordinal": "ordered category", "nominal": "category"}.get(
            node["type"], node["type"]
        )
        text = f"{title} ({kind})" if isinstance(title, str) and title.strip() else f"({kind})"
        if field not in titles or (titles[field].startswith("(") and not text.startswith("(")):
            titles[field] = text
    return titles


def csv_text(records: list[dict], *, heading: str, source: str, titles: dict[str, str]) -> str:
    """Rows as UTF-8 CSV under a ``#`` header: the figure, the source and what each column is."""
    columns: list[str] = []
    for row in records:
        for key in row:
            if key not in columns:
                columns.append(key)
    lines = [f"# {heading}", f"# Source: {source}", "# Columns:"]
    for column in columns:
        lines.append(f"#   {column}: {titles.get(column, '(not drawn: used by the chart for filtering or labels)')}")
    lines.append("# Values exactly as the chart draws them; an empty cell is a missing value.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in records:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return "\n".join(lines) + "\n" + out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_csv_records(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a download CSV (its ``#`` lines skipped)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = list(csv.reader(io.StringIO(body)))
    return rows[0], rows[1:]


def write_figure_downloads(
    spec: dict,
    *,
    stem: str,
    folder: Path,
    prefix: str,
    heading: str,
    source: str | None,
    write: Callable[[Path, str], None],
) -> dict[str, list[str]]:
    """Write the spec and the CSVs of a figure into ``folder``; return the file names by kind."""
    write(folder / f"{stem}{SPEC_SUFFIX}", json.dumps(spec, sort_keys=True, ensure_ascii=False, indent=1))
    titles = column_titles(spec)
    urls = tabular_data_urls(spec, prefix)
    csv_names = []
    for index, url in enumerate(urls, start=1):
        records = json.loads((folder / url.removeprefix(prefix)).read_text(encoding="utf-8"))
        name = f"{stem}.csv" if len(urls) == 1 else f"{stem}-data{index}.csv"
        text = csv_text(records, heading=heading, source=source or SOURCES_NOTE, titles=titles)
        write(folder / name, text)
        csv_names.append(name)
    return {"csv": csv_names, "spec": [f"{stem}{SPEC_SUFFIX}"]}


def inline_data(spec: Any, files: Mapping[str, bytes], prefix: str) -> Any:
    """The spec with every published data URL replaced by its values (for rendering without files)."""
    if isinstance(spec, list):
        return [inline_data(item, files, prefix) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {key: inline_data(value, files, prefix) for key, value in spec.items()}
    url = spec.get("url")
    if isinstance(url, str) and url.startswith(prefix):
        name = url.removeprefix(prefix)
        if name not in files:
            raise FileNotFoundError(f"a figure's spec names {url}, which is not among the chart data")
        del out["url"]
        out["values"] = json.loads(files[name])
    return out


def figure_images(
    files: Mapping[str, bytes], cache_dir: Path, prefix: str, vl_version: str, log: Callable[[str], None] = print
) -> dict[str, bytes]:
    """SVG and PNG of every figure spec among ``files`` (name -> bytes), rendered or taken from the cache."""
    import vl_convert

    images: dict[str, bytes] = {}
    rendered = 0
    for name in sorted(files):
        if not name.endswith(SPEC_SUFFIX):
            continue
        stem = name.removesuffix(SPEC_SUFFIX)
        if f"{stem}.svg" in files and f"{stem}.png" in files:
            continue
        document = json.loads(files[name])
        # A figure drawn with png=False renders its SVG in its own run and wants no PNG.
        wants_png = ((document.get("usermeta") or {}).get("book") or {}).get("png", True)
        if f"{stem}.svg" in files and (f"{stem}.png" in files or not wants_png):
            continue
        spec = inline_data(document, files, prefix)
        material = json.dumps([spec, vl_convert_version(), vl_version, PNG_SCALE], sort_keys=True)
        key = hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]
        svg_path, png_path = cache_dir / f"{key}.svg", cache_dir / f"{key}.png"
        if not (svg_path.exists() and (png_path.exists() or not wants_png)):
            cache_dir.mkdir(parents=True, exist_ok=True)
            outputs = [(svg_path, vl_convert.vegalite_to_svg(spec, vl_version=vl_version).encode("utf-8"))]
            if wants_png:
                outputs.append((png_path, vl_convert.vegalite_to_png(spec, vl_version=vl_version, scale=PNG_SCALE)))
            for path, data in outputs:
                temporary = path.with_name(path.name + ".tmp")
                temporary.write_bytes(data)
                temporary.replace(path)
            rendered += 1
        images[f"{stem}.svg"] = svg_path.read_bytes()
        if wants_png:
            images[f"{stem}.png"] = png_path.read_bytes()
    if rendered:
        log(f"rendered SVG and PNG of {rendered} figure(s) with vl-convert")
    return images
