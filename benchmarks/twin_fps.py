"""Benchmark of the live playground (twin/playground.js) in headless Chromium.

Serves a built site (``_build/html``, or the folder given as the first argument) on 127.0.0.1,
opens the playground page and measures, for the default network (2-8-8-2 tanh, 140 training
points, batches of 16):

* epochs trained *and drawn* per second (one epoch and a full redraw per animation frame; the
  epoch limit is lifted for the measurement), target >= 30;
* the decision-region redraw (60 x 60 grid forward pass, colours, 200 points), target < 16 ms;
* a control change: the time from the input event to the retrained network drawn at epoch 0
  (synchronous), and whether the first new epoch is drawn in the next frame.

Not a test: run ``.venv/bin/python benchmarks/twin_fps.py [site] [--write]``; it prints the
numbers (``--write``: also into ``benchmarks/twin_results.md``).
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SECONDS = 5.0

MEASURE_FPS = """async (seconds) => {
  const pg = window.bpPlayground;
  const limit = document.getElementById('bp-pg-epochs');
  limit.value = 'Infinity';
  limit.dispatchEvent(new Event('change'));
  await new Promise(r => setTimeout(r, 300));
  const e0 = pg.stats.epochs, f0 = pg.stats.frames, t0 = performance.now();
  pg.stats.regionMs.length = 0;
  await new Promise(r => setTimeout(r, seconds * 1000));
  const dt = (performance.now() - t0) / 1000;
  const ms = pg.stats.regionMs.slice().sort((a, b) => a - b);
  return {epochs_per_s: (pg.stats.epochs - e0) / dt, frames_per_s: (pg.stats.frames - f0) / dt,
          region_ms_median: ms[Math.floor(ms.length / 2)],
          region_ms_p95: ms[Math.floor(0.95 * (ms.length - 1))], epoch: pg.run.trainer.epoch};
}"""

MEASURE_CHANGE = """async () => {
  const pg = window.bpPlayground;
  const $ = (id) => document.getElementById(id);
  const fire = (e, type) => e.dispatchEvent(new Event(type));
  // one change of each kind of control: a slider, a select, a checkbox, a layer button
  const changes = [
    () => { $('bp-pg-rate').value = String(Number($('bp-pg-rate').value) === 10 ? 9 : 10);
            fire($('bp-pg-rate'), 'input'); },
    () => { const s = $('bp-pg-dataset'); s.selectedIndex = (s.selectedIndex + 1) % 6;
            fire(s, 'change'); },
    () => { $('bp-pg-f-x12').click(); },
    () => { const add = document.querySelector('[aria-label="add a hidden layer"]');
            const rm = document.querySelector('[aria-label="remove a hidden layer"]');
            (add.disabled ? rm : add).click(); },
  ];
  const out = [];
  for (let k = 0; k < 40; k++) {
    const t0 = performance.now();
    changes[k % changes.length]();
    const sync = performance.now() - t0;  // rebuilt and drawn at epoch 0
    const drawnAtZero = pg.run.trainer.epoch === 0;
    await new Promise(r => requestAnimationFrame(() => r()));
    await new Promise(r => requestAnimationFrame(() => r()));
    out.push({sync, drawnAtZero, epochNextFrame: pg.run.trainer.epoch});
    await new Promise(r => setTimeout(r, 50));
  }
  return out;
}"""


def main(site: Path) -> dict:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/chapters/playground.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(url[:22]) else r.abort()
        )
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.bpPlayground && window.bpPlayground.run")
        page.locator("#bp-twin-playground").scroll_into_view_if_needed()
        fps = page.evaluate(MEASURE_FPS, SECONDS)
        changes = page.evaluate(MEASURE_CHANGE)
        browser.close()
    server.shutdown()
    sync = [c["sync"] for c in changes]
    result = {
        **fps,
        "change_to_redraw_ms_median": statistics.median(sync),
        "change_to_redraw_ms_max": max(sync),
        "restarted_within_one_frame": all(
            c["drawnAtZero"] and c["epochNextFrame"] >= 1 for c in changes
        ),
    }
    for k, v in result.items():
        print(f"{k:32s} {v:.3g}" if isinstance(v, float) else f"{k:32s} {v}")
    return result


def write(result: dict, path: Path) -> None:
    """The numbers as a Markdown table, with the machine's load (the CPU is shared)."""
    load = os.getloadavg()[0]
    rows = [
        ("epochs trained and drawn per second (default network)", result["epochs_per_s"], ">= 30"),
        ("animation frames per second", result["frames_per_s"], "(report)"),
        ("decision-region redraw, median ms", result["region_ms_median"], "< 16"),
        ("decision-region redraw, 95th percentile ms", result["region_ms_p95"], "(report)"),
        ("control change to retrained network drawn, median ms",
         result["change_to_redraw_ms_median"], "(report)"),
        ("first new epoch drawn in the next frame", result["restarted_within_one_frame"], "yes"),
    ]  # fmt: skip
    lines = [
        "# Live playground in headless Chromium (benchmarks/twin_fps.py)",
        "",
        f"{os.cpu_count()} cores, load average {load:.1f} (1 min) when measured; Chromium "
        f"headless, {SECONDS:g} s of training with no epoch limit.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        *(f"| {name} | {v:.3g} | {t} |" if isinstance(v, float) else f"| {name} | {v} | {t} |"
          for name, v, t in rows),
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--write"]
    out = main(Path(args[0]) if args else ROOT / "_build" / "html")
    if "--write" in sys.argv:
        write(out, ROOT / "benchmarks" / "twin_results.md")
