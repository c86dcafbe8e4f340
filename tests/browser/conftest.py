"""Serve the built book on 127.0.0.1 and drive Debian's chromium over it with Playwright."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from helpers.paths import BOOK_DIR

SITE_DIR = BOOK_DIR / "_build" / "html"  # the three editions side by side, and the root page
HTML_DIR = SITE_DIR / "en"  # the English edition, which most tests drive
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").exists() or not (HTML_DIR / "index.html").exists():
        pytest.fail(f"no built book at {SITE_DIR}: run `make book` first (`make test` does)")
    return SITE_DIR


@pytest.fixture(scope="session")
def html_dir(site_dir) -> Path:
    return HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def server_url(site_dir):
    """The whole published book (root page and the three editions) on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(params=["http", "file"])
def base_url(request, server_url, html_dir):
    """The English edition's folder, served and from disk."""
    return server_url + "en/" if request.param == "http" else html_dir.as_uri() + "/"
