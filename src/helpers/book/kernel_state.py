"""Inside a warm batch kernel: take a snapshot of the process state, put it back after each run.

The batch engine (``helpers.book.batch``) runs many notebooks one after another in the same
kernel. Between two runs it calls ``reset()`` here, which restores everything a notebook can
change that this module knows how to restore exactly, and reports what it could not vouch for:

restored exactly
    the user namespace and execution count (IPython ``reset``), the working folder, the
    environment, ``sys.path``, ``sys.argv``, ``warnings`` filters, the decimal context, the
    recursion limit, socket's default timeout, numpy error and print
    options, pandas options, matplotlib rcParams (when imported), Altair's plugin registries
    (theme, renderer, data transformer, ...), IPython event callbacks and display formatters,
    every module attribute rebound, added or deleted since the snapshot (``json.FLAG = 1``,
    ``helpers.x.CONSTANT = ...``), the contents of module-level dicts, lists and sets and the
    attributes of module-level objects (a figure counter) of third-party and ``helpers``
    modules (caches included: they refill, never leak);
reseeded
    ``random`` and numpy's global generator, from fresh entropy as a new process would be;
not provably clean (the caller restarts the kernel instead)
    a module imported or removed since the snapshot (its import may have changed anything:
    that is the case a namespace reset cannot undo), a thread still running, or anything
    raising while being restored.

Module state of kernel machinery (IPython, ipykernel, zmq, asyncio, threading, ...) is left
alone: restoring it would break the kernel, and runs do not write to it.
"""

from __future__ import annotations

import copy
import decimal
import functools
import gc
import json
import os
import random
import socket
import sys
import threading
import time
import types
import warnings
from typing import Any

INFRASTRUCTURE = (
    "IPython",
    "ipykernel",
    "ipython_pygments_lexers",
    "zmq",
    "tornado",
    "jupyter_client",
    "jupyter_core",
    "traitlets",
    "comm",
    "debugpy",
    "prompt_toolkit",
    "pygments",
    "jedi",
    "parso",
    "stack_data",
    "executing",
    "pure_eval",
    "asttokens",
    "wcwidth",
    "asyncio",
    "threading",
    "concurrent",
    "selectors",
    "socket",
    "ssl",
    "logging",
    "sys",
    "gc",
    "importlib",
    "encodings",
    "codecs",
    "signal",
    "atexit",
    "weakref",
    "_weakrefset",
    "abc",
    "linecache",
    "tokenize",
    "inspect",
    "typing",
    "__main__",
    "__mp_main__",
    "helpers.book.kernel_state",
    "psutil",
    "platformdirs",
    "dateutil",
    "pytz",
)
CONTAINER_TYPES = (dict, list, set)
STDLIB = set(sys.stdlib_module_names) | {"builtins"}

_baseline: dict[str, Any] | None = None


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _watched(name: str) -> bool:
    return not any(name == prefix or name.startswith(prefix + ".") for prefix in INFRASTRUCTURE)


def _modules() -> dict[str, Any]:
    return {name: module for name, module in list(sys.modules.items()) if module is not None and _watched(name)}


def _namespace(module: Any) -> dict[str, Any] | None:
    try:
        namespace = vars(module)
    except TypeError:
        return None
    return namespace if isinstance(namespace, dict) else None


def _containers_watched(name: str) -> bool:
    # Module-level containers of the standard library change on every run (re's pattern cache,
    # linecache, ...): their contents are left alone; rebinding there is still restored.
    return _top(name) not in STDLIB


def _plugin_registries() -> list[Any]:
    try:
        from altair.utils.plugin_registry import PluginRegistry
    except ImportError:
        return []
    found: dict[int, Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name.startswith("altair") or name.startswith("helpers")):
            continue
        for value in list((_namespace(module) or {}).values()):
            if isinstance(value, PluginRegistry):
                found[id(value)] = value
    return list(found.values())


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _settings() -> dict[str, Any]:
    """The process-wide settings a notebook commonly changes, as restorable copies."""
    state: dict[str, Any] = {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "sys.path": list(sys.path),
        "sys.argv": list(sys.argv),
        "warnings": list(warnings.filters),
        # C-level settings a module snapshot cannot see
        "decimal": decimal.getcontext().copy(),
        "recursion": sys.getrecursionlimit(),
        "socket.timeout": socket.getdefaulttimeout(),
        "registries": [(registry, registry._get_state()) for registry in _plugin_registries()],
    }
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        state["numpy.err"] = numpy.geterr()
        state["numpy.print"] = numpy.get_printoptions()
    pandas_config = sys.modules.get("pandas._config.config")
    if pandas_config is not None:
        state["pandas.options"] = copy.deepcopy(pandas_config._global_config)
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        state["matplotlib.rcParams"] = dict(matplotlib.rcParams)
    shell = _shell()
    if shell is not None:
        state["events"] = {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}
        state["formatters"] = {
            mime: (dict(formatter.type_printers), dict(formatter.deferred_printers), formatter.enabled)
            for mime, formatter in shell.display_formatter.formatters.items()
        }
    return state


def _restore_nested(live: dict, saved: dict) -> None:
    """Put nested option values back in place, keeping the live dicts (modules hold them)."""
    for key in [key for key in live if key not in saved]:
        del live[key]
    for key, value in saved.items():
        if isinstance(value, dict) and isinstance(live.get(key), dict):
            _restore_nested(live[key], value)
        elif live.get(key, _MISSING) != value or key not in live:
            live[key] = copy.deepcopy(value)


def _restore_settings(state: dict[str, Any]) -> None:
    os.chdir(state["cwd"])
    os.environ.clear()
    os.environ.update(state["environ"])
    sys.path[:] = state["sys.path"]
    sys.argv[:] = state["sys.argv"]
    warnings.filters[:] = state["warnings"]  # type: ignore[index]
    warnings._filters_mutated()  # type: ignore[attr-defined]
    decimal.setcontext(state["decimal"].copy())
    sys.setrecursionlimit(state["recursion"])
    socket.setdefaulttimeout(state["socket.timeout"])
    for registry, registry_state in state["registries"]:
        registry._set_state(dict(registry_state, _plugins=registry_state["_plugins"].copy()))
    numpy = sys.modules.get("numpy")
    if numpy is not None and "numpy.err" in state:
        numpy.seterr(**state["numpy.err"])
        numpy.set_printoptions(**state["numpy.print"])
    pandas_config = sys.modules.get("pandas._config.config")
    if pandas_config is not None and "pandas.options" in state:
        _restore_nested(pandas_config._global_config, state["pandas.options"])
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None and "matplotlib.rcParams" in state:
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(state["matplotlib.rcParams"])
    shell = _shell()
    if shell is not None and "events" in state:
        for name, callbacks in state["events"].items():
            shell.events.callbacks[name][:] = callbacks
        for mime, (type_printers, deferred, enabled) in state["formatters"].items():
            formatter = shell.display_formatter.formatters[mime]
            formatter.type_printers.clear()
            formatter.type_printers.update(type_printers)
            formatter.deferred_printers.clear()
            formatter.deferred_printers.update(deferred)
            formatter.enabled = enabled


def _module_state(modules: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per module: its attributes (by object) and shallow copies of its containers."""
    state = {}
    for name, module in modules.items():
        namespace = _namespace(module)
        if namespace is None:
            continue
        attributes = dict(namespace)
        containers = {}
        if _containers_watched(name):
            for attribute, value in attributes.items():
                if type(value) in CONTAINER_TYPES:
                    containers[attribute] = value.copy()
                elif _plain_instance(value):
                    # A module-level object such as a figure counter: its attributes are state.
                    containers[attribute] = _InstanceState(dict(vars(value)))
        state[name] = (attributes, containers)
    return state


class _InstanceState:
    def __init__(self, attributes: dict[str, Any]) -> None:
        self.attributes = attributes


def _plain_instance(value: Any) -> bool:
    """An instance of an ordinary Python class (not a module, class, function or builtin)."""
    if isinstance(value, (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, functools.partial)):
        return False
    namespace = getattr(value, "__dict__", None)
    return isinstance(namespace, dict) and type(value).__module__ not in ("builtins",)


def _same_container(value: Any, saved: Any) -> bool:
    if isinstance(saved, _InstanceState):
        current = vars(value)
        return current.keys() == saved.attributes.keys() and all(
            current[key] is item for key, item in saved.attributes.items()
        )
    if len(value) != len(saved):
        return False
    if isinstance(value, dict):
        return all(key in value and value[key] is item for key, item in saved.items())
    if isinstance(value, list):
        return all(a is b for a, b in zip(value, saved))
    return value == saved


def _restore_modules(baseline: dict[str, tuple[dict[str, Any], dict[str, Any]]], modules: dict[str, Any]) -> list[str]:
    """Put back every rebound, added or deleted attribute and changed container; name them."""
    restored = []
    for name, (attributes, containers) in baseline.items():
        module = modules.get(name)
        namespace = _namespace(module) if module is not None else None
        if namespace is None:
            continue
        for attribute in [a for a in namespace if a not in attributes]:
            del namespace[attribute]
            restored.append(f"{name}.{attribute} (added)")
        for attribute, value in attributes.items():
            if namespace.get(attribute, _MISSING) is not value:
                namespace[attribute] = value
                restored.append(f"{name}.{attribute}")
        for attribute, saved in containers.items():
            value = namespace[attribute]
            if _same_container(value, saved):
                continue
            if isinstance(saved, _InstanceState):
                current = vars(value)
                current.clear()
                current.update(saved.attributes)
            else:
                value.clear()
                value.update(saved) if not isinstance(value, list) else value.extend(saved)
            restored.append(f"{name}.{attribute} (contents)")
    return restored


_MISSING = object()


def capture(preload: list[str] | tuple[str, ...] = ()) -> str:
    """Import ``preload``, then remember the state every run starts from. Returns a JSON report."""
    import importlib

    global _baseline
    failed = []
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module that cannot import here is simply not preloaded
            failed.append(f"{name}: {type(error).__name__}")
    datasets = _datasets_read_so_far()
    modules = _modules()
    _baseline = {
        "modules": set(sys.modules),
        "module_state": _module_state(modules),
        "settings": _settings(),
        "threads": {thread.ident for thread in threading.enumerate()},
    }
    _forget_datasets_read()
    _forget_untranslated()
    return json.dumps({"preload_failed": failed, "modules": len(_baseline["modules"]), "warmup_datasets": datasets})


def _datasets_read_so_far() -> list[str]:
    loaders = sys.modules.get("helpers.data.loaders")
    return list(loaders.datasets_read()) if loaders is not None and hasattr(loaders, "datasets_read") else []


def _untranslated_so_far() -> list[list[str]]:
    i18n = sys.modules.get("helpers.i18n")
    return [list(pair) for pair in i18n.untranslated()] if i18n is not None and hasattr(i18n, "untranslated") else []


def _forget_untranslated() -> None:
    i18n = sys.modules.get("helpers.i18n")
    if i18n is not None and hasattr(i18n, "forget_untranslated"):
        i18n.forget_untranslated()


def _forget_datasets_read() -> None:
    loaders = sys.modules.get("helpers.data.loaders")
    if loaders is not None and hasattr(loaders, "forget_datasets_read"):
        loaders.forget_datasets_read()


def prepare(cwd: str, environment: dict[str, str]) -> None:
    """Set the run's working folder and extra environment (undone by the next ``reset``)."""
    os.chdir(cwd)
    os.environ.update(environment)
    # A new process would draw fresh entropy: so does each run, never the previous run's state.
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def reset() -> str:
    """Restore the snapshot; report whether the kernel is provably back in it (JSON)."""
    if _baseline is None:
        return json.dumps({"clean": False, "reasons": ["no snapshot was taken"], "restored": []})
    reasons: list[str] = []
    restored: list[str] = []
    datasets = _datasets_read_so_far()  # what the run read, before the record is restored
    untranslated = _untranslated_so_far()  # messages that fell back to English in this run
    shell = _shell()
    timings = {}
    try:
        started = time.perf_counter()
        if shell is not None:
            # IPython's reset ends with a full gc.collect() (0.2 s with pandas loaded); the
            # collector's automatic passes free the same garbage later.
            collect, gc.collect = gc.collect, lambda *args, **kwargs: 0
            try:
                shell.reset(new_session=True)
            finally:
                gc.collect = collect
        timings["namespace"] = time.perf_counter() - started
        _restore_settings(_baseline["settings"])
        timings["settings"] = time.perf_counter() - started
        restored = _restore_modules(_baseline["module_state"], _modules())
        timings["modules"] = time.perf_counter() - started
        _forget_datasets_read()
        _forget_untranslated()
    except Exception as error:  # anything unexpected: do not vouch for this kernel
        reasons.append(f"restoring raised {type(error).__name__}: {error}")
    # Kernel machinery imports lazily too (IPython.core.logger on a first run): not the runs' state.
    added = sorted(name for name in set(sys.modules) - _baseline["modules"] if _watched(name))
    removed = sorted(_baseline["modules"] - set(sys.modules))
    if added:
        reasons.append("imported modules: " + ", ".join(added[:12]) + (" ..." if len(added) > 12 else ""))
    if removed:
        reasons.append("removed modules: " + ", ".join(removed[:12]))
    threads = [t.name for t in threading.enumerate() if t.ident not in _baseline["threads"] and t.is_alive()]
    if threads:
        reasons.append("threads still running: " + ", ".join(threads))
    timings["all"] = time.perf_counter() - started
    return json.dumps(
        {
            "clean": not reasons,
            "reasons": reasons,
            "restored": restored,
            "new_modules": added,
            "datasets_read": datasets,
            "untranslated": untranslated,
            "seconds": timings,
        }
    )
