"""The package's imports follow the data flow: no cycle, nothing points back up.

Every import is read from the source (including imports inside functions,
which a lazy import would otherwise hide) and resolved to a finflag module.
Layers, lowest first, as README's Layout section draws them:

    text and offsets -> input -> rules -> summary -> result -> pipeline
    -> reportdir (+ reviewstore) -> batch / evaluate / promoters -> engines -> output -> serve -> cli
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "finflag"

LAYERS = [
    ("finflag", "finflag.normalize", "finflag.numbers"),
    ("finflag.document",),
    ("finflag.input",),
    ("finflag.rules",),
    ("finflag.summary",),
    ("finflag.result",),
    ("finflag.pipeline",),
    ("finflag.reportdir", "finflag.reviewstore"),
    ("finflag.batch", "finflag.evaluate", "finflag.labels", "finflag.scorer_training", "finflag.loso",
     "finflag.rule_origins", "finflag.promoters", "finflag.summary_eval"),
    ("finflag.engines",),
    ("finflag.output",),
    ("finflag.serve",),
    ("finflag.cli",),
]


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS and README's Layout"
    return rank


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, src: Path = SRC) -> set[str]:
    """finflag modules imported anywhere in the file (a name imported from a package may be a module)."""
    name = module_name(path, src)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "finflag"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "finflag":
                continue
            found.add(target)
            for alias in node.names:  # `from . import model` imports a module
                candidate = f"{target}.{alias.name}"
                if (src / (candidate.replace(".", "/") + ".py")).is_file() or \
                        (src / candidate.replace(".", "/") / "__init__.py").is_file():
                    found.add(candidate)
    found.discard(name)
    return found


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    return {module_name(p, package.parent): imports_of(p, package.parent) for p in sorted(package.rglob("*.py"))}


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    return [f"{src} (layer {layer_of(src)}) imports {dst} (layer {layer_of(dst)})"
            for src, targets in edges.items() for dst in sorted(targets) if layer_of(dst) > layer_of(src)]


def cycles(edges: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    found = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_no_import_points_back_up():
    assert upward_imports(graph()) == []


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_the_checker_sees_lazy_and_relative_imports():
    """A control: the graph is not vacuous (function-level, type-only and relative imports are found)."""
    edges = graph()
    assert "finflag.summary.summarize" in edges["finflag.pipeline"]  # under TYPE_CHECKING
    assert "finflag.summary.prompts" in edges["finflag.batch"]  # imported inside a function
    assert "finflag.rules.anchors" in edges["finflag.rules.pack"]  # relative, module level
    assert "finflag.summary.model" in edges["finflag.cli.model"]
    assert layer_of("finflag.cli.flag") > layer_of("finflag.output.text") > layer_of("finflag.document")


def test_planted_upward_import_and_cycle_are_caught(tmp_path):
    package = tmp_path / "finflag"
    (package / "rules").mkdir(parents=True)
    (package / "cli").mkdir()
    for init in (package / "__init__.py", package / "rules" / "__init__.py", package / "cli" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (package / "rules" / "bad.py").write_text("def f():\n    from ..cli import main\n", encoding="utf-8")
    (package / "cli" / "main.py").write_text("from .other import x\n", encoding="utf-8")
    (package / "cli" / "other.py").write_text("from finflag.cli.main import y\n", encoding="utf-8")
    edges = graph(package)
    cli = layer_of("finflag.cli")
    assert upward_imports(edges) == [f"finflag.rules.bad (layer 3) imports finflag.cli (layer {cli})",
                                     f"finflag.rules.bad (layer 3) imports finflag.cli.main (layer {cli})"]
    assert cycles(edges) == ["finflag.cli.main -> finflag.cli.other -> finflag.cli.main"]


@pytest.mark.parametrize("command", [["flag", "-"], ["rules", "list"]])
def test_rule_commands_do_not_import_the_model_stack_or_renderers(command):
    code = ("import sys\nfrom finflag.cli import main\n"
            "try:\n    main(" + repr(command) + ", standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'transformers', 'xllamacpp', 'jinja2', 'jieba', 'langdetect', 'starlette', 'uvicorn', 'sqlite3', "
            "'ray') or m.startswith(('finflag.summary.summarize', 'finflag.output.html', 'finflag.cli.review', "
            "'finflag.serve')))\n"
            "print(heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], input="稳赚不赔，加微信abc12345。", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
