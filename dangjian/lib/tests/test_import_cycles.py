"""No module of an app imports, directly or through others, a module that
imports it back: dependencies inside an app point one way (for example
models <- permissions <- forms <- actions <- views).

The graph is read with ``ast`` from every import of a module of the listed
apps, at module level and inside functions alike: an import moved into a
function to dodge a cycle leaves the cycle in place (it only fails later, at
run time, and hides the order of the layers). Imports under
``if TYPE_CHECKING:`` never run and are left out. Tests and migrations are
not read.

Every app of the package is held to the rule, a new one included
(``cycles_in(["quiz"])`` lists an app's cycles).
"""

from __future__ import annotations

import ast
import tempfile
import unittest
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
APPS = sorted(
    p.name
    for p in PACKAGE.iterdir()
    if (p / "__init__.py").exists() and p.name != "tests"
)


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line`` (``deferred``: inside a function)."""

    source: str
    target: str
    line: int
    deferred: bool

    def __str__(self) -> str:
        where = "inside a function" if self.deferred else "module level"
        return f"{self.source} -> {self.target} (line {self.line}, {where})"


def module_files(root: Path, apps: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> file, for the apps' modules (not tests or migrations)."""
    found = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root.parent).with_suffix("")
            parts = relative.parts
            if "tests" in parts or "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    nodes: Iterable[ast.stmt], deferred: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that runs, and whether it sits in a function."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, deferred
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.orelse, deferred)
        else:
            inside = deferred or isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _imports([child], inside)
                else:
                    # Statements nested in expressions do not exist; but
                    # handlers and match cases hold statements.
                    body = getattr(child, "body", None)
                    if isinstance(body, list):
                        yield from _imports(body, inside)


def _with_parents(name: str) -> list[str]:
    """Importing a.b.c runs a, a.b and a.b.c."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def edges_of(name: str, path: Path, known: set[str]) -> list[Edge]:
    """The imports of module ``name`` that land on modules in ``known``."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    edges = []
    for node, deferred in _imports(tree.body):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                targets += _with_parents(alias.name)
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets += _with_parents(module)
            # ``from package import module`` imports the submodule.
            targets += [f"{module}.{alias.name}" for alias in node.names]
        for target in dict.fromkeys(targets):
            # A module's own packages are imported before it, never because
            # of it.
            if target in known and not f"{name}.".startswith(f"{target}."):
                edges.append(Edge(name, target, node.lineno, deferred))
    return edges


def import_graph(root: Path, apps: Iterable[str]) -> dict[str, list[Edge]]:
    files = module_files(root, apps)
    known = set(files)
    return {name: edges_of(name, path, known) for name, path in files.items()}


def find_cycles(graph: dict[str, list[Edge]]) -> list[list[Edge]]:
    """One cycle through each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph.get(node, []):
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: dict[str, list[Edge]], group: set[str]) -> list[Edge]:
    """A shortest way round from the group's first module back to itself."""
    start = min(group)
    paths: dict[str, list[Edge]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in sorted(graph[node], key=lambda e: e.target):
            if edge.target not in group:
                continue
            if edge.target == start:
                return [*paths[node], edge]
            if edge.target not in paths:
                paths[edge.target] = [*paths[node], edge]
                queue.append(edge.target)
    raise AssertionError(f"no cycle through {start}")  # a group always has one


def cycles_in(apps: Iterable[str], root: Path = PACKAGE) -> list[str]:
    return [
        "\n  ".join(str(edge) for edge in cycle)
        for cycle in find_cycles(import_graph(root, apps))
    ]


class ImportCyclesTestCase(unittest.TestCase):
    def test_no_app_module_imports_itself_back(self):
        cycles = cycles_in(APPS)
        self.assertEqual(
            cycles,
            [],
            "import cycles (move the shared code down a layer instead of "
            "importing inside a function):\n  " + "\n\n  ".join(cycles),
        )

    def write(self, root: Path, files: dict[str, str]) -> None:
        for name, source in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")

    def test_a_cycle_hidden_in_a_function_is_reported_with_its_lines(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "dangjian"
            self.write(
                root,
                {
                    "app/__init__.py": "",
                    "app/actions.py": "from dangjian.app.search import index\n",
                    "app/search.py": (
                        "def log():\n    from dangjian.app.actions import do_log\n"
                    ),
                },
            )
            self.assertEqual(
                cycles_in(["app"], root),
                [
                    "dangjian.app.actions -> dangjian.app.search "
                    "(line 1, module level)\n  "
                    "dangjian.app.search -> dangjian.app.actions "
                    "(line 2, inside a function)"
                ],
            )

    def test_relative_and_submodule_imports_are_followed(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "dangjian"
            self.write(
                root,
                {
                    "app/__init__.py": "",
                    "app/tasks.py": "from . import actions\n",
                    "app/actions.py": "import dangjian.app.tasks\n",
                },
            )
            self.assertEqual(len(cycles_in(["app"], root)), 1)

    def test_type_checking_imports_and_one_way_imports_pass(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "dangjian"
            self.write(
                root,
                {
                    # A package that imports its own modules: their imports
                    # of siblings name the package, which is imported first.
                    "app/__init__.py": "from dangjian.app.actions import do\n",
                    "app/choices.py": "",
                    "app/forms.py": "from dangjian.app.choices import CHOICES\n",
                    "app/models.py": (
                        "from typing import TYPE_CHECKING\n"
                        "if TYPE_CHECKING:\n"
                        "    from dangjian.app.actions import Result\n"
                    ),
                    "app/actions.py": "from dangjian.app.models import Entry\n",
                    "app/tests/test_x.py": "from dangjian.app import actions\n",
                },
            )
            self.assertEqual(cycles_in(["app"], root), [])
