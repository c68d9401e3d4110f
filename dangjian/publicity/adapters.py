"""Platform adapters: how one webhook channel's request is shaped.

Every webhook channel names an adapter (``Channel.platform``). An adapter turns
the release payload into one HTTP request and judges the answer; delivery,
signing headers, retries and logging are the same for every platform. See
README.md ("Adding a platform") for how to add one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

_registry: dict[str, type[BaseAdapter]] = {}


@dataclass
class OutboundRequest:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


class BaseAdapter:
    """The interface: ``build_request`` and ``is_success``."""

    key = ""
    label = ""

    def build_request(self, channel, payload: dict) -> OutboundRequest:
        raise NotImplementedError

    def is_success(self, status_code: int, body: bytes) -> bool:
        return 200 <= status_code < 300


def register_adapter(cls: type[BaseAdapter]) -> type[BaseAdapter]:
    """Class decorator: makes the adapter selectable on channels."""
    if not cls.key:
        raise ValueError("An adapter needs a key.")
    _registry[cls.key] = cls
    return cls


def get_adapter(key: str) -> BaseAdapter:
    try:
        return _registry[key]()
    except KeyError:
        raise LookupError(f"未知的平台适配器：{key}") from None


def adapter_choices() -> list[tuple[str, str]]:
    return [(key, cls.label) for key, cls in _registry.items()]


@register_adapter
class GenericWebhookAdapter(BaseAdapter):
    """POSTs the payload as JSON, exactly as documented in README.md."""

    key = "generic"
    label = "通用 Webhook（JSON）"

    def build_request(self, channel, payload: dict) -> OutboundRequest:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        return OutboundRequest(
            url=channel.url,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
