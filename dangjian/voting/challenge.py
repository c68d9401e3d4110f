"""The captcha asked of voters or networks that look abusive.

The image comes from the ``captcha`` library (lepture/captcha, pure Python on
Pillow). The challenge itself is stateless: a signed token holding a keyed
hash of the answer and a nonce, so any app server can check it, and the
nonce is burnt in the cache so one solved image is good once.
django-simple-captcha was not used: it needs a model, URLs and form fields,
while votes arrive through a JSON API.
"""

from __future__ import annotations

import base64
import secrets

from django.core import signing
from django.core.cache import cache

from dangjian.voting.identity import keyed_hash

SALT = "dangjian.voting.captcha"
ALPHABET = "23456789"
MAX_AGE = 300


def new_challenge() -> dict:
    from captcha.image import ImageCaptcha

    answer = "".join(secrets.choice(ALPHABET) for _ in range(4))
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"h": keyed_hash("captcha", nonce + answer), "n": nonce}, salt=SALT
    )
    png = ImageCaptcha(width=160, height=60).generate(answer, format="png")
    return {
        "captcha_token": token,
        "image": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(),
        "expires_in": MAX_AGE,
    }


def check_challenge(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    nonce = data.get("n", "")
    if not secrets.compare_digest(
        data.get("h", ""), keyed_hash("captcha", nonce + (answer or "").strip())
    ):
        return False
    # One solved challenge is good for one pass.
    return cache.add(f"dj:v:capnonce:{nonce}", 1, MAX_AGE + 60)
