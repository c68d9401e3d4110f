"""axe-core accessibility checks for the browser tests.

axe-core (npm) is installed on first use into ``var/npm`` (git-ignored), with
npm; where npm or the registry is unavailable, ``axe_source()`` is None and
the checks are skipped (each browser test still runs).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PREFIX = ROOT / "var" / "npm"
AXE = PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# Impacts that fail a test (axe reports minor and moderate ones too).
FAILING = ("serious", "critical")


@functools.cache
def axe_source() -> str | None:
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(PREFIX),
                "--no-save",
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
                "axe-core@4",
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
    return AXE.read_text(encoding="utf-8") if AXE.exists() else None


def serious_violations(page, within: str | None = None) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now
    (WCAG 2.1 A and AA rules), one line each; [] when axe is unavailable.
    ``within``: a CSS selector to check only that part (e.g. the admin's
    ``main``, leaving Wagtail's own sidebar aside)."""
    source = axe_source()
    if source is None:
        return []
    # Evaluated through the DevTools protocol: the site's CSP forbids inline
    # script, not this.
    page.evaluate(source)
    result = page.evaluate(
        """(within) => axe.run(within ? {include: [[within]]} : document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })""",
        within,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v.get("impact") in FAILING
    ]


def assert_accessible(page, within: str | None = None) -> None:
    found = serious_violations(page, within)
    assert not found, f"{page.url}:\n" + "\n".join(found)
