"""Tables as the book shows them: full cell text, no index column, deterministic HTML.

pandas' default display truncates long text and its Styler writes random ids (which nbval
would flag on every run); this renders plain, stable HTML with an optional caption.
"""

from __future__ import annotations

import html

import pandas as pd


class Table:
    def __init__(self, frame: pd.DataFrame, caption: str | None = None, float_format: str = "{:,.1f}"):
        self.frame = frame
        self.caption = caption
        self.float_format = float_format

    def _cell(self, value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            return '<span class="no-data">no data</span>'
        if isinstance(value, float):
            return html.escape(self.float_format.format(value))
        return html.escape(str(value))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(column))}</th>" for column in self.frame.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{self._cell(value)}</td>" for value in row) + "</tr>"
            for row in self.frame.itertuples(index=False)
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f'<table class="book-table">{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def table(frame: pd.DataFrame, caption: str | None = None, float_format: str = "{:,.1f}") -> Table:
    """Show ``frame`` as a book table; missing values read 'no data', never 0 or NaN."""
    return Table(frame, caption=caption, float_format=float_format)
