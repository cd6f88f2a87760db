"""Playground latency: from a moved control to the redrawn figure, at the default settings.

Drives :class:`backprop.explore.widgets.Playground` in code the way a reader's click does: set the
value of one control, which retrains the network from the same seeds, draws the figure, encodes
it as PNG and writes it into the ``ipywidgets.Output``. The time of that whole call is taken
``repeats`` times (after one warm-up); the median is compared with the 300 ms target of the
book's issue 4. Run it alone with ``.venv/bin/python benchmarks/playground_latency.py``
(``--profile`` adds a cProfile of the update); ``benchmarks/run.py`` calls :func:`measure`.

The wall time depends on what else the machine runs, so the CPU time of the same calls
(``time.process_time``, all threads of this process) is reported next to it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

import matplotlib

matplotlib.use("Agg")

TARGET_MS = 300.0


def _changes():
    """Alternate between two values of several controls, so every update really retrains."""
    return [
        ("seed", 1),
        ("seed", 0),
        ("learning_rate", 0.25),
        ("learning_rate", 0.3),
        ("neurons", 7),
        ("neurons", 8),
        ("noise", 0.25),
        ("noise", 0.2),
    ]


def measure(repeats: int = 16) -> dict:
    """Median milliseconds from ``control.value = v`` to the new PNG in the ``Output``.

    Returns ``dict(median_ms, target_ms, ratio, cpu_median_ms, min_ms, repeats, train_ms)``;
    ``ratio`` is median / target (<= 1 meets the target), ``train_ms`` the median time of the
    training alone (the rest is drawing and encoding the figure).
    """
    from backprop.explore import widgets

    play = widgets.Playground()
    changes = _changes()
    name, value = changes[0]
    play.controls[name].value = value  # warm-up: caches, fonts, first draw
    wall, cpu, train = [], [], []
    for i in range(repeats):
        name, value = changes[(i + 1) % len(changes)]
        before = play.output.outputs
        t0, c0 = time.perf_counter(), time.process_time()
        play.controls[name].value = value
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        train.append(play.result.seconds)
        if play.output.outputs == before:
            raise AssertionError(f"changing {name} to {value} did not redraw the figure")
    median_ms = 1e3 * statistics.median(wall)
    return {
        "median_ms": round(median_ms, 1),
        "target_ms": TARGET_MS,
        "ratio": round(median_ms / TARGET_MS, 3),
        "cpu_median_ms": round(1e3 * statistics.median(cpu), 1),
        "min_ms": round(1e3 * min(wall), 1),
        "train_ms": round(1e3 * statistics.median(train), 1),
        "repeats": repeats,
    }


def profile(n: int = 8, top: int = 25) -> None:
    """Print the cProfile of ``n`` updates, sorted by cumulative time."""
    from backprop.explore import widgets

    play = widgets.Playground()
    changes = _changes()
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        name, value = changes[i % len(changes)]
        play.controls[name].value = value
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=16)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile")
    args = parser.parse_args()
    result = measure(args.repeats)
    verdict = "met" if result["ratio"] <= 1 else "MISSED"
    print(
        f"playground latency (default settings, {result['repeats']} changes, "
        f"load average {os.getloadavg()[0]:.2f}): median {result['median_ms']:.0f} ms "
        f"(CPU {result['cpu_median_ms']:.0f} ms, of which training {result['train_ms']:.0f} ms; "
        f"fastest {result['min_ms']:.0f} ms); target {result['target_ms']:.0f} ms, "
        f"ratio {result['ratio']:.2f}: {verdict}"
    )
    if args.profile:
        profile()
