"""Where things live: the repository, the data release (mirror) and the local caches."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path, PurePosixPath

from helpers.errors import MirrorNotFound

MIRROR_ENV = "BOOK_DATA_MIRROR"
CACHE_ENV = "BOOK_DATA_CACHE"  # optional override of <repo>/.cache/parsed (tests use it)
RELEASE_CATALOGUE = "datapackage.json"  # a refreshed release describes itself with this file


@functools.cache  # the package does not move while it runs; validation asks for it thousands of times
def repo_root() -> Path:
    """The project checkout: the first ancestor of this package holding pyproject.toml."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "helpers").is_dir():
            return parent
    return Path.cwd()


def catalogue_path() -> Path:
    return repo_root() / "data" / "datapackage.json"


def local_release_dir() -> Path:
    """Default destination of `data refresh` and fallback of `mirror_path()`."""
    return repo_root() / ".cache" / "data-release"


def trust_file() -> Path:
    """Hashes of the release catalogues `data refresh` wrote and validated (outside any release)."""
    return repo_root() / ".cache" / "trusted-release-catalogues.json"


def is_inside_release(relative: object) -> bool:
    """A resource path may only name a file inside its release: relative, no '..', no drive."""
    if not isinstance(relative, str) or not relative or "\\" in relative:
        return False
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and ":" not in path.parts[0]


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else repo_root() / ".cache" / "parsed"


def is_valid_release(folder: Path) -> bool:
    """A folder written by `data refresh`: its datapackage.json lists files that all exist.

    (Checksums are verified when a dataset is loaded; this test must stay cheap.)
    """
    manifest = folder / RELEASE_CATALOGUE
    if not manifest.is_file():
        return False
    try:
        package = json.loads(manifest.read_text(encoding="utf-8"))
        resources = package["resources"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(resources) and all(
        is_inside_release(r.get("path")) and (folder / r["path"]).is_file() for r in resources
    )


def mirror_path() -> Path:
    """The data release the book reads: $BOOK_DATA_MIRROR, else a valid `.cache/data-release/`."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    if value:
        path = Path(value).expanduser()
        if not path.is_dir():
            raise MirrorNotFound(
                f"{MIRROR_ENV}={value!r} is not a folder. Fix: point {MIRROR_ENV} at the data "
                "release (e.g. `export BOOK_DATA_MIRROR=/work/shared/data`) or unset it and run "
                "`python -m helpers data refresh` to build a local release in .cache/data-release/."
            )
        if (
            not any((path / sub).is_dir() for sub in ("sotkanet", "statfin", "reference", "diak"))
            and not (path / RELEASE_CATALOGUE).is_file()
        ):
            raise MirrorNotFound(
                f"{MIRROR_ENV}={value!r} does not look like the data release (no sotkanet/, statfin/, "
                "reference/ or diak/ folder and no datapackage.json). Fix: point it at the folder "
                "holding SHA256SUMS and those sub-folders."
            )
        return path
    local = local_release_dir()
    if is_valid_release(local):
        return local
    raise MirrorNotFound(
        f"{MIRROR_ENV} is not set and {local} holds no valid data release. Fix: "
        "`export BOOK_DATA_MIRROR=/path/to/data-release` (on the project machines: /work/shared/data), "
        "or run `python -m helpers data refresh` to download one into .cache/data-release/."
    )
