"""The code stays readable: layers import only downward; ruff and mypy are clean."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

PACKAGE = ROOT / "simkz"

#: Lower number = lower layer. A module may import only from its own layer or below.
LAYERS: dict[str, int] = {
    "_version": 0,
    "errors": 0,
    "times": 0,
    "yamlio": 0,
    "collector": 0,
    "jsonio": 0,
    "inputs": 0,
    "resources": 0,
    "topology": 1,
    "scenario": 2,
    "model": 3,
    "results": 4,
    "impact": 5,
    "engine": 6,
    "analysis": 7,
    "sweep": 7,
    "plots": 8,
    "report": 8,
    "testing": 9,
    "cli": 9,
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_layers_import_only_downward():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        module = ".".join(rel.parts)
        own = layer_of(module)
        if own in ("__init__", "__main__"):
            continue
        assert own in LAYERS, f"{module}: add its layer to LAYERS"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("simkz"):
                target = layer_of(node.module)
                if target == "__init__" or LAYERS.get(target, 99) > LAYERS[own]:
                    bad.append(f"{module} imports {node.module}")
    assert bad == []


def test_ruff_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "simkz", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "simkz", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


#: The longest a function may be, in lines (docstring included): longer ones are split along their steps.
MAX_FUNCTION_LINES = 50


def test_no_function_is_longer_than_fifty_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
