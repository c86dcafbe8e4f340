"""One chapter, one module: the parameter model is the one truth the notebook and the run plan follow."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.book import params, runplan
from helpers.chapters import CHAPTERS, chapter_module
from helpers.chapters.model import model_specs, param
from helpers.errors import ParameterError
from helpers.paths import NOTEBOOKS_DIR

PLAN = runplan.load_run_plan()
NOTEBOOK_PAGES = {page.chapter: page for page in PLAN.notebook_pages()}


def test_every_notebook_is_a_page_of_the_run_plan_with_a_chapter_module():
    notebooks = {path.resolve() for path in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert {page.notebook_path.resolve() for page in PLAN.notebook_pages()} == notebooks
    assert set(NOTEBOOK_PAGES) == set(CHAPTERS)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_the_parameters_cell_declares_exactly_the_model(name):
    """Names in order, annotated types, defaults and help text: the cell repeats the model for papermill."""
    cell = params.parameter_specs(NOTEBOOK_PAGES[name].notebook_path)
    model = model_specs(CHAPTERS[name].Params)
    assert list(cell) == list(model), "same parameters in the same order"
    for spec in model.values():
        assert cell[spec.name] == spec, f"{name}.{spec.name}: the notebook cell and the model disagree"
        assert spec.help, f"{name}.{spec.name} needs help text"


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_the_run_plan_states_only_what_differs_from_the_defaults(name):
    page = NOTEBOOK_PAGES[name]
    defaults = model_specs(CHAPTERS[name].Params)
    for key, value in page.parameters.items():
        assert key in defaults, f"{page.page}: unknown parameter {key}"
        # A family's run carries its whole point of the grid (a generator's parameter set), defaults included.
        if page.family is None:
            assert value != defaults[key].default, f"{page.page}: {key} restates the default of {name}.Params"


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_validate_returns_the_model_and_is_idempotent(name):
    module = CHAPTERS[name]
    checked = module.validate({})
    assert isinstance(checked, module.Params)
    again = module.validate(dataclasses.asdict(checked))
    assert again == checked, "the kernel's re-check of checked values must change nothing"


def test_unknown_names_get_the_nearest_chapters_and_parameters():
    with pytest.raises(ParameterError, match="unknown chapter 'comparison'; nearest: comparisons"):
        chapter_module("comparison")
    with pytest.raises(ParameterError, match="unknown parameter 'municipalty'; did you mean municipality"):
        CHAPTERS["comparisons"].validate({"municipalty": "Tampere"})


def test_swedish_names_and_codes_resolve_and_codes_keep_leading_zeros():
    comparisons = CHAPTERS["comparisons"]
    assert comparisons.validate({"municipality": "Helsingfors"}).municipality == "091"
    assert comparisons.validate({"municipality": params.CliText("091")}).municipality == "091"
    pilot = CHAPTERS["pilot"].validate({"municipalities": ["Tammerfors", "Reso", 851]})
    assert pilot.municipalities == ["837", "680", "851"]


def test_list_defaults_are_not_shared_between_instances():
    @dataclasses.dataclass(frozen=True)
    class Synthetic:
        names: list[str] = param(["a"], "synthetic")

    first, second = Synthetic(), Synthetic()
    first.names.append("b")
    assert second.names == ["a"]
