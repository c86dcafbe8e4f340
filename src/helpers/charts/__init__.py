"""Charts for the book: Altair builders on top of the analysis layer, rendered offline."""

from helpers.charts.render import enable, figure, named_data, set_chapter

enable()

__all__ = ["figure", "named_data", "set_chapter"]
