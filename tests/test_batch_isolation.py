"""The batch engine's warm kernels: a run never sees what the previous run on that kernel did.

Each test runs a polluting notebook between two runs of an observing notebook, in order, on ONE
warm kernel (one worker), and checks the observer printed the same before and after. The
notebooks are synthetic; only the last tests read data (the test template and a fact table).
"""

import json
import random
import time

import nbformat
import numpy as np
import pytest

from helpers.book import batch, build
from helpers.paths import REPO_ROOT

TEMPLATE = REPO_ROOT / "tests" / "data" / "batch_template.ipynb"


def notebook_text(*sources: str, parameters: str = "x: int = 0  # a number") -> str:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell] + [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(notebook)


def spec(key: str, text: str, cwd, parameters=None, timeout=60.0) -> batch.RunSpec:
    return batch.RunSpec(
        key=key,
        label=key,
        template_name=f"{key}.ipynb",
        template_text=text,
        parameters=parameters or {},
        cwd=str(cwd),
        timeout=timeout,
        preload=tuple(batch.template_imports(text)),  # as the build does: the kernel starts warm
    )


def printed(outcome: batch.RunOutcome) -> list[str]:
    notebook = nbformat.reads(outcome.notebook.decode("utf-8"), as_version=4)
    return [
        output["text"].strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    ]


@pytest.fixture(scope="module", autouse=True)
def stop_kernels():
    yield
    batch.shutdown_worker_kernels()


def run_in_order(*specs: batch.RunSpec) -> list[batch.RunOutcome]:
    """In this thread, one after another: every run reuses this thread's warm kernel (shared by
    all the tests here, so each test's runs also follow the previous test's)."""
    return [batch.execute_run(one) for one in specs]


def observe_around(polluter: str, observer: str, tmp_path):
    outcomes = run_in_order(
        spec("before", observer, tmp_path), spec("polluter", polluter, tmp_path), spec("after", observer, tmp_path)
    )
    before, polluting, after = outcomes
    assert all(outcome.ok for outcome in outcomes), [outcome.error for outcome in outcomes]
    return before, polluting, after


def same_kernel(*outcomes: batch.RunOutcome) -> bool:
    """Ran on one worker with no kernel start or restart in between (the reset did the work)."""
    return len({outcome.worker for outcome in outcomes}) == 1 and all(
        outcome.kernel_seconds == 0.0 for outcome in outcomes[1:]
    )


def test_names_and_module_attributes_do_not_survive_a_run(tmp_path):
    observer = notebook_text(
        "import json\nimport helpers.data.paths as paths\n"
        "print(sorted(n for n in dir() if n.startswith('leak')), getattr(json, 'BOOK_TEST_FLAG', None), "
        "paths.MIRROR_ENV)"
    )
    polluter = notebook_text(
        "import json\nimport helpers.data.paths as paths\n"
        "leak_name = 1\njson.BOOK_TEST_FLAG = 'set by the previous run'\npaths.MIRROR_ENV = 'CHANGED'\n"
        "print(sorted(n for n in dir() if n.startswith('leak')), json.BOOK_TEST_FLAG, paths.MIRROR_ENV)"
    )
    before, polluting, after = observe_around(polluter, observer, tmp_path)
    assert printed(polluting) == ["['leak_name'] set by the previous run CHANGED"]
    assert printed(after) == printed(before) == ["[] None BOOK_DATA_MIRROR"]
    assert same_kernel(before, polluting, after)


def test_module_level_objects_and_caches_are_restored(tmp_path):
    # The figure counter is a module-level object; the catalogue cache a module-level dict.
    observer = notebook_text(
        "from helpers.charts import render\nfrom helpers.data import catalogue\n"
        "print(render._counter.count, render._counter.chapter, sorted(catalogue._cache))"
    )
    polluter = notebook_text(
        "from helpers.charts import render\nfrom helpers.data import catalogue\n"
        "render.set_chapter(7)\nrender._counter.count = 41\ncatalogue._cache['planted'] = {}\n"
        "print(render._counter.count, render._counter.chapter, 'planted' in catalogue._cache)"
    )
    before, polluting, after = observe_around(polluter, observer, tmp_path)
    assert printed(polluting) == ["41 7 True"]
    assert printed(after) == printed(before)
    assert "planted" not in printed(after)[0]
    assert same_kernel(before, polluting, after)


def test_working_folder_environment_and_sys_path_are_restored(tmp_path):
    observer = notebook_text(
        "import os, sys\nprint(os.getcwd(), 'BOOK_TEST_LEAK' in os.environ, '/book-test-path' in sys.path)"
    )
    polluter = notebook_text(
        "import os, sys\nos.chdir('/')\nos.environ['BOOK_TEST_LEAK'] = '1'\nsys.path.append('/book-test-path')\n"
        "print(os.getcwd(), 'BOOK_TEST_LEAK' in os.environ, '/book-test-path' in sys.path)"
    )
    before, polluting, after = observe_around(polluter, observer, tmp_path)
    assert printed(polluting) == ["/ True True"]
    assert printed(after) == printed(before) == [f"{tmp_path} False False"]
    assert same_kernel(before, polluting, after)


def test_pandas_numpy_altair_and_warnings_settings_are_restored(tmp_path):
    observer = notebook_text(
        "import decimal, warnings\nimport altair as alt\nimport numpy as np\nimport pandas as pd\n"
        "print(pd.get_option('display.max_rows'), alt.theme.active, alt.data_transformers.active, "
        "alt.renderers.active, np.get_printoptions()['precision'], np.geterr()['divide'], len(warnings.filters), "
        "decimal.getcontext().prec)"
    )
    polluter = notebook_text(
        "import warnings\nimport altair as alt\nimport numpy as np\nimport pandas as pd\n"
        "pd.set_option('display.max_rows', 3)\nalt.theme.enable('dark')\nalt.data_transformers.enable('json')\n"
        "alt.renderers.enable('json')\nnp.set_printoptions(precision=2)\nnp.seterr(divide='raise')\n"
        "warnings.simplefilter('error')\nimport decimal\ndecimal.getcontext().prec = 5\n"
        "print(pd.get_option('display.max_rows'), alt.theme.active, alt.data_transformers.active, "
        "alt.renderers.active, np.get_printoptions()['precision'], np.geterr()['divide'], len(warnings.filters), "
        "decimal.getcontext().prec)"
    )
    before, polluting, after = observe_around(polluter, observer, tmp_path)
    assert printed(polluting)[0].startswith("3 dark json json 2 raise")
    assert printed(polluting)[0].endswith(" 5")
    assert printed(after) == printed(before)
    assert printed(before)[0].endswith(" 28")
    assert not printed(before)[0].startswith("3 dark")
    assert same_kernel(before, polluting, after)


def test_random_state_is_fresh_not_inherited_from_the_previous_run(tmp_path):
    draw = notebook_text("import random\nimport numpy as np\nprint(repr(random.random()), repr(np.random.random()))")
    seeding = notebook_text("import random\nimport numpy as np\nrandom.seed(1)\nnp.random.seed(1)")
    after_seed, again = run_in_order(
        spec("seed", seeding, tmp_path), spec("draw", draw, tmp_path), spec("again", draw, tmp_path)
    )[1:]
    seeded = f"{random.Random(1).random()!r} {np.random.RandomState(1).random_sample()!r}"
    assert printed(after_seed) != [seeded], "a run must not inherit the previous run's seed"
    assert printed(after_seed) != printed(again), "each run draws fresh entropy, as a new process would"


def test_a_run_that_imports_a_new_module_gets_the_kernel_restarted(tmp_path):
    # The module's import registers a codec: C-level state no reset can see or undo. The engine
    # cannot vouch for the kernel after a new import, so the next run gets a fresh one.
    (tmp_path / "book_test_mutator.py").write_text(
        "# synthetic module for the batch isolation test\nimport codecs\n\n"
        "codecs.register(lambda name: codecs.lookup('utf-8') if name == 'book_test_codec' else None)\n"
    )
    observer = notebook_text(
        "import codecs\ntry:\n    codecs.lookup('book_test_codec')\n    print('found')\n"
        "except LookupError:\n    print('missing')"
    )
    polluter = notebook_text(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport book_test_mutator\n"
        "import codecs\nprint(codecs.lookup('book_test_codec').name)"
    )
    before, polluting, after = observe_around(polluter, observer, tmp_path)
    assert printed(polluting) == ["utf-8"]
    assert printed(after) == printed(before) == ["missing"]
    assert any("restarted" in event and "book_test_mutator" in event for event in after.kernel_events)


def test_a_failing_run_is_recorded_by_papermill_and_does_not_poison_the_next(tmp_path):
    failing = notebook_text("leak = 1\nraise ValueError('synthetic failure')", "print('never')")
    observer = notebook_text("print('leak' in dir(), x)")
    failed, after = run_in_order(spec("failing", failing, tmp_path), spec("after", observer, tmp_path, {"x": 5}))
    assert not failed.ok and "ValueError: synthetic failure" in failed.error
    record = nbformat.reads(failed.notebook.decode("utf-8"), as_version=4)
    assert any("synthetic failure" in json.dumps(cell.get("outputs", [])) for cell in record.cells)
    assert after.ok and printed(after) == ["False 5"]
    assert same_kernel(failed, after)


def test_a_hanging_run_times_out_and_the_next_run_gets_a_fresh_kernel(tmp_path):
    hanging = notebook_text("import time\ntime.sleep(120)")
    observer = notebook_text("print('alive', x)")
    started = time.perf_counter()
    hung, after = run_in_order(
        spec("hanging", hanging, tmp_path, timeout=2), spec("after", observer, tmp_path, {"x": 3}, timeout=60)
    )
    assert time.perf_counter() - started < 60
    assert not hung.ok and "timed out" in hung.error
    assert hung.notebook, "a timed-out run still leaves its notebook as far as it got"
    assert after.ok and printed(after) == ["alive 3"]
    assert any("restarted" in event for event in after.kernel_events)


def test_a_run_that_kills_its_kernel_does_not_take_the_next_run_with_it(tmp_path):
    dying = notebook_text("import os\nos._exit(1)")
    observer = notebook_text("print('alive')")
    died, after = run_in_order(spec("dying", dying, tmp_path), spec("after", observer, tmp_path))
    assert not died.ok
    assert after.ok and printed(after) == ["alive"]


def test_runs_keep_papermills_shape_execution_counts_from_one_and_injected_parameters(tmp_path):
    text = notebook_text("y = x * 2", "print(y)")
    first, second = run_in_order(spec("one", text, tmp_path, {"x": 2}), spec("two", text, tmp_path, {"x": 21}))
    for outcome, value in ((first, "4"), (second, "42")):
        notebook = nbformat.reads(outcome.notebook.decode("utf-8"), as_version=4)
        counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), counts
        injected = [cell for cell in notebook.cells if "injected-parameters" in cell.metadata.get("tags", [])]
        assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]
        assert notebook.metadata["papermill"]["parameters"] == {"x": int(value) // 2}
        assert notebook.metadata["papermill"]["input_path"] == outcome.label + ".ipynb"
        assert printed(outcome) == [value]
    assert same_kernel(first, second)


def test_each_run_records_exactly_the_datasets_it_loaded(tmp_path):
    loads = notebook_text("from helpers import data\nrows = len(data.load('glossary'))")
    loads_nothing = notebook_text("import helpers.data\nprint('nothing')")
    reading, idle = run_in_order(spec("reads", loads, tmp_path), spec("idle", loads_nothing, tmp_path))
    assert reading.datasets_read == ["glossary"]
    assert idle.datasets_read == []
    notebook = nbformat.reads(reading.notebook.decode("utf-8"), as_version=4)
    assert notebook.metadata["book_run"]["datasets_read"] == ["glossary"]


def test_warm_runs_give_the_same_outputs_as_papermill_with_a_fresh_kernel(tmp_path):
    """The test template, run the naive way and on a warm kernel after other runs."""
    fresh = tmp_path / "fresh.ipynb"
    build.execute_notebook(TEMPLATE, fresh, {"municipality": "853"}, tmp_path / "fresh-charts", log=lambda _: None)
    text = TEMPLATE.read_text(encoding="utf-8")
    outcomes = run_in_order(
        *(
            spec(code, text, TEMPLATE.parent, {"municipality": code})
            for code in ("091", "837", "853")  # 853 runs third, after two others on the same kernel
        )
    )
    warm = nbformat.reads(outcomes[2].notebook.decode("utf-8"), as_version=4)
    naive = nbformat.read(fresh, as_version=4)

    def comparable(notebook):
        return [(cell.source, cell.get("execution_count"), cell.get("outputs")) for cell in notebook.cells]

    assert comparable(warm) == comparable(naive)
    assert sorted(outcomes[2].chart_files) == sorted(path.name for path in (tmp_path / "fresh-charts").iterdir())


@pytest.mark.parametrize("value", ["true", "1"])
def test_progress_is_plain_lines_in_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert batch.is_plain_output()
