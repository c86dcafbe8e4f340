"""Tables as the book shows them: full cell text, no index column, deterministic HTML.

pandas' default display truncates long text and its Styler writes random ids (which nbval
would flag on every run); this renders plain, stable HTML with an optional caption, and a
CSV download of the table published beside the chart data.
"""

from __future__ import annotations

import hashlib
import html

import pandas as pd

from helpers.charts import render
from helpers.charts.render import CHART_DATA_URL_PREFIX, _atomic_write, chart_data_dir
from helpers.i18n import _

_NBSP = "\u00a0"


def localised_number(text: str, lang: str) -> str:
    """A number Python formatted ('12,345.6') in the edition's convention ('12 345,6' in fi and sv)."""
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", _NBSP).replace("-", "\u2212")


class Table:
    def __init__(self, frame: pd.DataFrame, caption: str | None = None, float_format: str = "{:,.1f}"):
        self.frame = frame
        self.caption = caption
        self.float_format = float_format
        self.lang = render._counter.lang  # the edition of the chapter being drawn

    def _cell(self, value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            missing = html.escape(_("no data", self.lang))
            return f'<span class="no-data">{missing}</span>'
        if isinstance(value, float):
            return html.escape(localised_number(self.float_format.format(value), self.lang))
        return html.escape(str(value))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(column))}</th>" for column in self.frame.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{self._cell(value)}</td>" for value in row) + "</tr>"
            for row in self.frame.itertuples(index=False)
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        name = self.publish_csv()
        download, label = html.escape(_("Download:", self.lang)), html.escape(_("table (CSV)", self.lang))
        link = (
            f'<p class="book-downloads">{download} <a class="book-download" '
            f'href="{CHART_DATA_URL_PREFIX}{name}" download="{name}">{label}</a></p>'
        )
        return f'<table class="book-table">{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{link}'

    def csv_text(self) -> str:
        """The table as UTF-8 CSV, full precision, under a ``#`` line naming it (missing values empty)."""
        heading = f"# {self.caption}\n" if self.caption else ""
        return heading + self.frame.to_csv(index=False, lineterminator="\n")

    def publish_csv(self) -> str:
        """Write the CSV beside the chart data (content-addressed) and return its file name."""
        text = self.csv_text()
        name = f"table-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.csv"
        folder = chart_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / name).exists():
            _atomic_write(folder / name, text)
        return name

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def table(frame: pd.DataFrame, caption: str | None = None, float_format: str = "{:,.1f}") -> Table:
    """Show ``frame`` as a book table; missing values read 'no data', never 0 or NaN."""
    return Table(frame, caption=caption, float_format=float_format)
