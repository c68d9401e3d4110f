"""A disclosure column on the test city, channels, and a local webhook receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import override_settings

from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.publicity.models import Channel


class Receiver:
    """A real HTTP server on 127.0.0.1 that fails the first ``failures`` posts."""

    def __init__(self, failures: int = 0, status: int = 503):
        self.failures = failures
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                if len(receiver.requests) <= receiver.failures:
                    code, text = receiver.status, b"temporarily unavailable"
                else:
                    code, text = 200, b'{"ok": true}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


# The tests' receiver listens on 127.0.0.1, a private address.
@override_settings(OUTBOUND_ALLOW_PRIVATE=True)
class PublicityTestCase(DisclosureTestCase):
    def webhook(self, url: str, organisation=None, **fields) -> Channel:
        return Channel.objects.create(
            name=fields.pop("name", "测试推送"),
            organisation=organisation if organisation is not None else self.unit_a,
            kind=Channel.Kind.WEBHOOK,
            url=url,
            **fields,
        )

    def publish(self, **fields):
        """Drafts and releases a disclosure item through the whole workflow,
        running what is queued on commit (webhook tasks)."""
        page = self.make_item(**fields)
        with self.captureOnCommitCallbacks(execute=True):
            return self.release(page)

    def publish_directly(self, page):
        """Publishes the latest revision as a platform admin would (no workflow)."""
        with self.captureOnCommitCallbacks(execute=True):
            page.get_latest_revision().publish(user=self.admin)
        return type(page).objects.get(pk=page.pk)
