"""Security headers and production settings: CSP, private caching, check --deploy."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from dangjian.orgs.actions import do_issue_token
from dangjian.test import BaseTestCase

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_public_pages_forbid_inline_script_and_foreign_scripts(self):
        r = self.client.get("/login/")
        policy = directives(r["Content-Security-Policy"])
        self.assertEqual(policy["script-src"], ["'self'"])
        self.assertEqual(policy["object-src"], ["'none'"])
        self.assertEqual(policy["frame-ancestors"], ["'self'"])
        self.assertEqual(policy["base-uri"], ["'self'"])

    def test_the_admin_has_its_own_policy_and_reports_against_the_strict_one(self):
        self.client.force_login(self.admin)
        r = self.client.get("/admin/")
        self.assertEqual(r.status_code, 200)
        policy = directives(r["Content-Security-Policy"])
        self.assertEqual(policy["script-src"], ["'self'", "'unsafe-inline'"])
        self.assertEqual(policy["object-src"], ["'none'"])
        strict = directives(r["Content-Security-Policy-Report-Only"])
        self.assertEqual(strict["script-src"], ["'self'"])


class SiteTemplatesTestCase(SimpleTestCase):
    INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)

    def test_no_site_template_has_script_the_policy_would_block(self):
        """Every public template, found by walking the templates folders, so a
        new one is covered: no inline <script>, no onclick= and the like, no
        javascript: links. The admin's own templates have the admin's policy."""
        offenders = []
        for path in sorted((ROOT / "dangjian").glob("**/templates/**/*.html")):
            text = path.read_text(encoding="utf-8")
            if "/admin/" in path.as_posix() or "wagtailadmin/" in text[:300]:
                continue
            if "/email/" in path.as_posix():
                continue  # e-mails are not pages
            for pattern in (self.INLINE_SCRIPT, self.HANDLER):
                for match in pattern.finditer(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
            if "javascript:" in text.lower():
                offenders.append(f"{path.relative_to(ROOT)}: javascript:")
        self.assertEqual(offenders, [])


class PrivateCachingTestCase(BaseTestCase):
    def assertPrivate(self, response):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        self.assertTrue(
            {"private", "no-store"} <= directives, response["Cache-Control"]
        )

    def test_a_members_personal_pages_are_never_stored(self):
        self.client.force_login(self.member)
        for url in ("/me/", "/study/archive/", "/quiz/"):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertPrivate(r)

    def test_every_page_a_signed_in_person_sees_is_private(self):
        self.client.force_login(self.member)
        r = self.client.get("/kb/")
        self.assertEqual(r.status_code, 200)
        self.assertPrivate(r)

    def test_api_answers_to_a_token_are_private(self):
        _token, key = do_issue_token(self.member, name="测试")
        r = self.client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(r.status_code, 200)
        self.assertPrivate(r)

    def test_public_pages_for_anonymous_visitors_stay_cacheable(self):
        r = self.client.get("/kb/")
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("private", r.get("Cache-Control", ""))
        self.assertNotIn("no-store", r.get("Cache-Control", ""))


def production_environment() -> dict[str, str]:
    """The variables of the "production" block of .env.example."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    block = text.split("# >>> production", 1)[1].split("# <<< production", 1)[0]
    env = {}
    for line in block.splitlines():
        line = line.lstrip("# ").split("  #", 1)[0].strip()
        if "=" in line:
            name, value = line.split("=", 1)
            env[name] = value
    return env


class DeployCheckTestCase(SimpleTestCase):
    def test_check_deploy_with_the_production_variables_reports_nothing(self):
        production = production_environment()
        self.assertIn("SECURE_HSTS_SECONDS", production)
        with tempfile.NamedTemporaryFile("w", suffix=".key") as key:
            key.write(secrets.token_urlsafe(50))
            key.flush()
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SECURE_", "DJANGO_", "SECRET_KEY"))
            }
            env.update(production)
            env["SECRET_KEY_FILE"] = key.name
            result = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "check",
                    "--deploy",
                    "--fail-level",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)
