"""The client's address, taken the same way wherever it matters.

Behind a reverse proxy every request comes from the proxy, so the deployment
sets ``DANGJIAN_TRUST_X_FORWARDED_FOR`` and the address is read from
``X-Forwarded-For``. Only the last entry is believed: it is the one the
trusted proxy appended, while anything before it was sent by the client and
could be anything (nginx: ``proxy_set_header X-Forwarded-For
$proxy_add_x_forwarded_for``). Without the setting the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as a normalised string ("" if unknown)."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "DANGJIAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            address = last
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""
