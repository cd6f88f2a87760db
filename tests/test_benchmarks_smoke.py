"""Smoke test of the benchmark script: ``benchmarks/run.py --quick`` runs and writes its table.

The real benchmarks take minutes and are run by ``make bench``; this only checks that every
benchmark still runs end to end (with tiny sizes, each side in its own worker process), that the
report has the expected rows, that nothing is judged on tiny sizes, and that ``results.md`` is
written only when asked.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_results(tmp_path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert text.startswith("# Benchmark results")
    assert "## Machine" in text and "Quick (tiny) sizes" in text
    for row in ("(1)", "(2)", "(3a)", "(3b)", "(4)", "(5a)", "(5b)", "(6a)"):
        assert f"| {row}" in text, f"row {row} missing from the table"
    assert "not judged (quick)" in text and "MISSED" not in text
    assert "Traceback" not in proc.stdout + proc.stderr


def test_results_are_written_only_when_asked():
    parser_help = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "--write" in parser_help and "--rounds" in parser_help
