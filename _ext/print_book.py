"""Print the whole book to one PDF: ``make pdf``.

Jupyter Book's single-page build (``jupyter-book build . --builder singlehtml``) puts every
chapter into one HTML page, with the book's numbering of chapters, sections, equations and
figures and its cross-references as links inside the page. This script serves that page on
127.0.0.1 (offline: any other host is refused), opens it in the system Chromium through
Playwright, waits until MathJax has typeset every formula and every image has loaded, opens the
folded errata entries and solutions, and prints it with the print stylesheet of
``_static/book.css`` (no navigation, code wrapped, widgets as their figures). Chromium keeps the
links inside the page as links inside the PDF and writes the headings as its outline
(bookmarks). No TeX is needed.

Usage: ``python _ext/print_book.py SINGLEHTML_DIR OUT.pdf [--copy-to SITE_DIR]``. ``make pdf``
prints to ``_build/pdf/backprop-book.pdf`` and builds the site again; the HTML build copies a
current PDF into the site and only then links it from the download menus (``_ext/book_site.py``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
import time
from pathlib import Path

PDF_NAME = "backprop-book.pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

READY_JS = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const imgs = [...document.images];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 20000); })));
  await document.fonts.ready;
  if (window.bookOpenForPrint) window.bookOpenForPrint();
  const math = document.querySelectorAll('span.math, div.math').length;
  return {math, typeset: document.querySelectorAll('mjx-container').length,
          images: imgs.length, broken: imgs.filter(i => !(i.naturalWidth > 0)).length};
}"""

FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def start_page(folder: Path) -> str:
    for name in ("intro.html", "index.html"):
        if (folder / name).is_file():
            return name
    raise SystemExit(f"no intro.html or index.html in {folder}: build it first (make pdf)")


def print_book(folder: Path, out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    t0 = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1100, "height": 1400})
            blocked = []

            def route(r):
                if r.request.url.startswith((base, "data:", "blob:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.goto(base + start_page(folder), wait_until="load", timeout=180_000)
            page.wait_for_load_state("networkidle", timeout=180_000)
            page.emulate_media(media="print")
            ready = page.evaluate(READY_JS)
            if ready["typeset"] < ready["math"]:
                raise SystemExit(f"MathJax typeset {ready['typeset']} of {ready['math']} formulas")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(out),
                format="A4",
                margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                outline=True,
                tagged=True,
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    ready["seconds"] = round(time.perf_counter() - t0, 1)
    ready["blocked"] = blocked
    return ready


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("singlehtml", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copy-to", type=Path, help="also copy the PDF into this site folder")
    args = parser.parse_args(argv)
    ready = print_book(args.singlehtml, args.out)
    size = args.out.stat().st_size
    print(
        f"{args.out}: {size / 2**20:.1f} MiB, {ready['typeset']} formulas typeset, "
        f"{ready['images']} images, {ready['seconds']} s"
    )
    if ready["broken"] or ready["blocked"]:
        print(f"broken images: {ready['broken']}; blocked: {ready['blocked'][:5]}", file=sys.stderr)
        return 1
    if args.copy_to:
        shutil.copyfile(args.out, args.copy_to / PDF_NAME)
        print(f"copied to {args.copy_to / PDF_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
