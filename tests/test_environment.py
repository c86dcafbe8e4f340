"""environment.yml (conda users) and uv.lock (everyone else) must pin the same top-level packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_top_level() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = list(project["project"]["dependencies"])
    for group in project.get("dependency-groups", {}).values():
        requirements += group
    return {_canonical(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in requirements}


def _environment_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    pins = {}
    for line in pip_section:
        if "==" in line:
            name, version = line.split("==")
            pins[_canonical(name)] = version.strip()
    return pins


def _locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {_canonical(p["name"]): p["version"] for p in lock["package"] if "version" in p}


def test_every_top_level_package_is_pinned_in_environment_yml():
    missing = _pyproject_top_level() - set(_environment_pins())
    assert not missing, f"environment.yml lacks {sorted(missing)}; run scripts/sync_environment.py"


def test_environment_yml_pins_match_the_lock():
    locked = _locked()
    disagreements = {
        name: (version, locked.get(name))
        for name, version in _environment_pins().items()
        if locked.get(name) != version
    }
    assert not disagreements, f"environment.yml vs uv.lock (name: (yml, lock)): {disagreements}"


def test_environment_yml_python_matches_pyproject():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"].startswith(">=3.11")
