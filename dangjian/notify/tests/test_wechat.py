"""The WeChat adapter against a local receiver that speaks the official
account's API shape and records every request."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.test import override_settings

from dangjian.notify.channels import ChannelError, WechatClient
from dangjian.notify.delivery import deliver_due
from dangjian.notify.kinds import INBOX, KINDS_HOOK, WECHAT, NotificationKind
from dangjian.notify.models import Delivery, WechatBinding
from dangjian.notify.tests.helpers import KindsMixin
from dangjian.test import BaseTestCase


class Receiver:
    """A threaded http.server: tokens "tok-1", "tok-2", … and scripted answers."""

    def __init__(self):
        self.requests: list[dict] = []
        self.tokens = 0
        self.send_answers: list[dict] = []  # popped per send; empty: ok
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                receiver.requests.append(
                    {"method": "GET", "path": parts.path, "query": query}
                )
                receiver.tokens += 1
                self._answer(
                    {"access_token": f"tok-{receiver.tokens}", "expires_in": 7200}
                )

            def do_POST(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.requests.append(
                    {"method": "POST", "path": parts.path, "query": query, "body": body}
                )
                if receiver.send_answers:
                    self._answer(receiver.send_answers.pop(0))
                else:
                    self._answer({"errcode": 0, "errmsg": "ok", "msgid": 1})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


WECHAT_KIND = NotificationKind(
    key="test.wechat",
    label="竞赛开始",
    title="《%(title)s》开始了",
    channels=(INBOX, WECHAT),
    link=lambda context: "/quiz/contests/1/",
    wechat_template="TPL-CONTEST",
)


class WechatTestCase(KindsMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.receiver = self.enterContext(Receiver())
        self.enterContext(
            override_settings(
                DANGJIAN_WECHAT_ENABLED=True,
                DANGJIAN_WECHAT_BASE_URL=self.receiver.url,
                DANGJIAN_WECHAT_APPID="wx-app",
                DANGJIAN_WECHAT_SECRET="s3cret",
                DANGJIAN_WECHAT_TEMPLATE_ID="TPL-DEFAULT",
                OUTBOUND_ALLOW_PRIVATE=True,  # the receiver is on 127.0.0.1
                SITE_URL="https://dj.example.cn",
            )
        )
        from wagtail import hooks

        self.enterContext(hooks.register_temporarily(KINDS_HOOK, lambda: [WECHAT_KIND]))
        WechatBinding.objects.create(person=self.member, openid="o-member")

    def sends(self):
        return [r for r in self.receiver.requests if r["method"] == "POST"]

    def test_a_template_message_has_the_documented_shape(self):
        self.send("test.wechat", [self.member], {"title": "党史竞赛"})
        token, send = self.receiver.requests
        self.assertEqual(token["path"], "/cgi-bin/token")
        self.assertEqual(
            token["query"],
            {"grant_type": "client_credential", "appid": "wx-app", "secret": "s3cret"},
        )
        self.assertEqual(send["path"], "/cgi-bin/message/template/send")
        self.assertEqual(send["query"], {"access_token": "tok-1"})
        body = send["body"]
        self.assertEqual(body["touser"], "o-member")
        self.assertEqual(body["template_id"], "TPL-CONTEST")
        self.assertEqual(body["url"], "https://dj.example.cn/quiz/contests/1/")
        self.assertEqual(body["data"]["first"]["value"], "《党史竞赛》开始了")
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    def test_the_token_is_kept_until_it_expires(self):
        self.send("test.wechat", [self.member], key="e1")
        self.send("test.wechat", [self.member], key="e2")
        self.assertEqual(self.receiver.tokens, 1)
        self.assertEqual(
            [s["query"]["access_token"] for s in self.sends()], ["tok-1"] * 2
        )

    def test_an_expired_token_is_refreshed_and_the_message_sent_again(self):
        for code in (42001, 40001):
            with self.subTest(errcode=code):
                self.receiver.requests.clear()
                self.receiver.send_answers = [
                    {"errcode": code, "errmsg": "access_token expired"}
                ]
                self.send("test.wechat", [self.member], key=f"e{code}")
                tokens = [s["query"]["access_token"] for s in self.sends()]
                self.assertEqual(len(tokens), 2)
                self.assertNotEqual(tokens[0], tokens[1])
                self.assertEqual(
                    Delivery.objects.get(
                        notification__dispatch__event_key=f"e{code}"
                    ).status,
                    Delivery.Status.SENT,
                )

    def test_an_error_code_is_logged_and_retried(self):
        self.receiver.send_answers = [{"errcode": 43004, "errmsg": "require subscribe"}]
        self.send("test.wechat", [self.member])
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.status, Delivery.Status.PENDING)
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("errcode 43004", delivery.last_error)
        # The retry, once due, gets through.
        with (
            mock.patch("django.utils.timezone.now", return_value=delivery.due_at),
            self.captureOnCommitCallbacks(execute=True),
        ):
            deliver_due()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.SENT)
        self.assertEqual(len(self.sends()), 2)

    def test_an_unreachable_server_is_an_error_not_a_crash(self):
        client = WechatClient("http://127.0.0.1:9", "wx", "s")
        with self.assertRaises(ChannelError):
            client.send_template("o", "T", "", {})

    @override_settings(DANGJIAN_WECHAT_ENABLED=False)
    def test_the_channel_is_off_by_default(self):
        self.send("test.wechat", [self.member])
        self.assertEqual(self.receiver.requests, [])
        self.assertFalse(Delivery.objects.exists())
