"""Drive Debian's Chromium (Playwright for Python) against the built site, offline.

The site in ``_build/html`` is served on 127.0.0.1 from a thread; every request to any other
host is blocked *and recorded*, and a test fails if a page attempted one. Build the site first
(``make book`` or ``make book-strict``); ``make browser`` runs these tests.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    SITE,
    STATS,
    new_page,
    site_size,
)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if STATS["weights"]:
        report_weights(terminalreporter)
    if not STATS["pages"]:
        return
    mib = site_size() / 2**20 if SITE.is_dir() else float("nan")
    terminalreporter.write_sep("-", "site checked in Chromium")
    terminalreporter.write_line(
        f"pages tested: {len(STATS['pages'])}; math elements typeset: {STATS['math']}; "
        f"widget views rendered: {STATS['widgets']}; built site: {mib:.1f} MiB "
        f"({SITE}); screenshots in {SCREENSHOTS}/"
    )


def report_weights(terminalreporter):
    """Every page's weight (bytes it loaded), on the terminal and in _build/page-weights.md."""
    lines = ["| page | bytes | widgets | by type |", "|---|---:|---|---|"]
    for path, w in sorted(STATS["weights"].items()):
        kinds = sorted(w["by"].items(), key=lambda kv: -kv[1])
        by = ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in kinds if v)
        lines.append(f"| {path} | {w['total']:,} | {'yes' if w['widgets'] else ''} | {by} |")
    (SITE.parent / "page-weights.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    terminalreporter.write_sep("-", "page weights (also in _build/page-weights.md)")
    for line in lines[2:]:
        terminalreporter.write_line(line)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "intro.html").is_file():
        pytest.fail(f"{SITE}/intro.html is missing: build the book first (make book)")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # screenshots of this run only
    return SITE


@pytest.fixture(scope="session")
def base_url(site) -> str:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, base_url):
    """``open_page(path, **context_options) -> (page, traffic)``; closes its context after."""
    contexts = []

    def _open(path, **context_options):
        context, page, traffic = new_page(browser, base_url, **context_options)
        contexts.append(context)
        page.goto(base_url + path, wait_until="load")
        return page, traffic

    yield _open
    for context in contexts:
        context.close()
