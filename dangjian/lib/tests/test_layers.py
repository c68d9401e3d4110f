"""The layers of DESIGN.md "Layout", checked on the source.

* The foundation (orgs, search, lib, notify) imports no app above it.
* The aggregators (publicity, stats) and the shell (portal) import no
  capability app: they read capabilities through hooks (dangjian/README.md).
* A capability imports no other capability (except declared pairs), no
  aggregator and not portal.

Imports are read with ``ast`` (also those inside functions), together with the
string lookups that would dodge them (``apps.get_model("quiz", …)``,
``"dangjian.quiz.…"``). Tests and migrations are not checked.
"""

from __future__ import annotations

import ast
import re
import unittest
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
FOUNDATION = {"orgs", "search", "lib", "notify"}
AGGREGATORS = {"publicity", "stats"}
SHELL = {"portal"}
# Declared dependencies between capabilities (DESIGN.md).
ALLOWED = {("tickets", "kb"), ("orglife", "members")}
NOT_APPS = {"templates"}

GET_MODEL = re.compile(r"""get_model\(\s*["'](\w+)["'.]""")
DOTTED = re.compile(r"""["']dangjian\.(\w+)\.""")
NOT_MODULES = {"settings", "urls", "wsgi", "api"}


def apps() -> set[str]:
    return {
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir()
        and (p / "__init__.py").exists()
        and p.name not in NOT_APPS
        and not p.name.startswith("tests")
    }


def layer(app: str) -> str:
    if app in FOUNDATION:
        return "foundation"
    if app in AGGREGATORS:
        return "aggregator"
    if app in SHELL:
        return "shell"
    return "capability"


def crossing(app: str, other: str) -> bool:
    """Whether an import of ``other`` by ``app`` crosses the layers."""
    a, b = layer(app), layer(other)
    if a == "foundation":
        return b != "foundation"
    if a in ("aggregator", "shell"):
        return b == "capability" or (a == "aggregator" and b == "shell")
    if b in ("aggregator", "shell"):
        return True
    return b == "capability" and (app, other) not in ALLOWED


def imports_of(path: Path) -> list[tuple[int, str, str]]:
    """(line, app, how) of every dangjian app the module names."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "dangjian" and len(parts) > 1:
                found.append((node.lineno, parts[1], f"import {name}"))
    for number, line in enumerate(source.splitlines(), 1):
        for match in GET_MODEL.finditer(line):
            found.append((number, match.group(1), match.group(0)))
        for match in DOTTED.finditer(line):
            if match.group(1) not in NOT_MODULES:
                found.append((number, match.group(1), match.group(0)))
    return found


def crossings() -> list[str]:
    known = apps()
    broken = []
    for app in sorted(known):
        for path in sorted((PACKAGE / app).rglob("*.py")):
            relative = path.relative_to(PACKAGE)
            if (
                "tests" in relative.parts
                or "migrations" in relative.parts
                or path.name.startswith("test")
            ):
                continue
            for number, other, how in imports_of(path):
                if other in known and other != app and crossing(app, other):
                    broken.append(
                        f"dangjian/{relative}:{number} ({layer(app)} {app}) "
                        f"-> {layer(other)} {other}: {how}"
                    )
    return broken


class LayersTestCase(unittest.TestCase):
    def test_no_import_crosses_the_layers(self):
        broken = crossings()
        self.assertEqual(
            broken,
            [],
            "imports that cross the layers of DESIGN.md (register a hook instead, "
            "see dangjian/README.md):\n" + "\n".join(broken),
        )

    def test_the_rule_names_an_aggregator_reaching_into_a_capability(self):
        self.assertTrue(crossing("stats", "quiz"))
        self.assertTrue(crossing("publicity", "disclosure"))
        self.assertTrue(crossing("portal", "study"))
        self.assertTrue(crossing("study", "quiz"))
        self.assertTrue(crossing("kb", "stats"))
        self.assertTrue(crossing("disclosure", "portal"))
        self.assertTrue(crossing("orgs", "voting"))
        self.assertFalse(crossing("study", "orgs"))
        self.assertFalse(crossing("stats", "lib"))
        self.assertFalse(crossing("tickets", "kb"))

    def test_a_crossing_is_reported_with_its_file_and_line(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "figures.py"
            path.write_text(
                "def f():\n    from dangjian.quiz.models import Attempt\n",
                encoding="utf-8",
            )
            self.assertEqual(
                imports_of(path), [(2, "quiz", "import dangjian.quiz.models")]
            )
