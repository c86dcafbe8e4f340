"""Charts for the book: Altair builders on top of the analysis layer, rendered offline."""

from helpers.charts.render import enable, figure, named_data, set_chapter, topojson_data
from helpers.charts.tables import table

enable()

__all__ = ["figure", "named_data", "set_chapter", "table", "topojson_data"]
