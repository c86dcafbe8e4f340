"""ipywidgets for researchers working live in Jupyter (on top of helpers.charts).

In the published book widgets show only their saved state: Python callbacks need a kernel.
"""

from helpers.widgets.explorer import build_explorer, explorer_state

__all__ = ["build_explorer", "explorer_state"]
