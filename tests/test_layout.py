"""The package's layout: the core imports no interactive code and has no import circle, and the
equations of backpropagation are written once, on lines tagged with their labels."""

import ast
import re
from pathlib import Path

import backprop

CORE = Path(backprop.__file__).parent
TAG = re.compile(r"#.*\((eq-[A-Za-z0-9-]+)")


def _imports(path: Path) -> set:
    """The sibling modules a core module imports (relative imports, at any depth)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_core_has_no_import_circle_and_no_interactive_code():
    modules = {p.stem: _imports(p) for p in CORE.glob("*.py") if p.stem != "__init__"}
    for name, deps in modules.items():
        assert "explore" not in deps, f"core module {name} imports backprop.explore"
    done, visiting = set(), []

    def visit(name):
        assert name not in visiting, f"import circle: {' -> '.join([*visiting, name])}"
        if name in done or name not in modules:
            return
        visiting.append(name)
        for dep in modules[name]:
            visit(dep)
        visiting.pop()
        done.add(name)

    for name in modules:
        visit(name)
    assert "network" not in modules["io"] | modules["train"]  # the circles of the old layout


def test_each_gradient_equation_is_written_once():
    tagged = {}
    for path in sorted(CORE.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for label in TAG.findall(line):
                tagged.setdefault(label, []).append(f"{path.name}:{number}")
    assert tagged["eq-grad-W"] == [tagged["eq-grad-W"][0]] and "layers.py" in tagged["eq-grad-W"][0]
    assert tagged["eq-grad-b"] == [tagged["eq-grad-b"][0]] and "layers.py" in tagged["eq-grad-b"][0]
    recursion = {where.split(":")[0] for where in tagged["eq-delta-recursion"]}
    assert recursion == {"layers.py", "network.py"}
    assert {where.split(":")[0] for where in tagged["eq-delta-output"]} == {
        "losses.py",
        "network.py",
    }
