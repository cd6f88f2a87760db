"""Shared by the browser tests: where the site is, what a page did, screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# BOOK_SITE points the tests at another build (jupyter-book build . --path-output DIR).
SITE = Path(os.environ.get("BOOK_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = 390
"""Width of the phone the pages are checked at (CSS px)."""
PHONE_FIGURE_WIDTH = {"cell": 576, "explorer": 354}
"""How wide a figure shows on that phone at least (or its own width, if smaller): an image a
cell printed keeps 36rem and scrolls sideways in its box (_static/book.css), the precomputed
explorer's image fits the column. tests/test_figure_style.py measures text at these widths;
test_phone_figures.py checks them in Chromium."""
STATS = {"pages": [], "math": 0, "widgets": 0, "weights": {}}
"""Filled by the tests, printed at the end of the run (pytest_terminal_summary)."""


def site_pages() -> list[str]:
    """Every page a reader reaches from the table of contents (search is tested apart)."""
    chapters = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "chapters").glob("*.html"))
    pages = ["intro.html", *chapters, "genindex.html", "py-modindex.html"]
    return [p for p in pages if (SITE / p).is_file()]


def site_size() -> int:
    return sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())


@dataclass
class Traffic:
    """What one page did: requests off 127.0.0.1, failed responses, console errors."""

    base_url: str
    blocked: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def route(self, route):
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def on_request_failed(self, request):
        # Blocked requests are already listed; a navigation may cancel a load (ERR_ABORTED).
        if request.url.startswith(self.base_url) and "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.failure} {request.url}")

    def on_console(self, msg):
        (self.errors if msg.type == "error" else self.warnings).append(msg.text)

    def assert_clean(self):
        assert not self.blocked, f"requests outside 127.0.0.1 (blocked): {self.blocked}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"


def new_page(browser, base_url, **context_options):
    context_options = {"viewport": {"width": 1280, "height": 900}, **context_options}
    context = browser.new_context(**context_options)
    traffic = Traffic(base_url)
    context.route("**/*", traffic.route)
    page = context.new_page()
    page.on("console", traffic.on_console)
    page.on("pageerror", lambda exc: traffic.errors.append(f"uncaught: {exc}"))
    page.on(
        "response",
        lambda r: traffic.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", traffic.on_request_failed)
    return context, page, traffic


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name.replace("/", "_").removesuffix(".html") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
