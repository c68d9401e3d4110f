"""The publicity API."""

from ninja import Router

router = Router(tags=["publicity"])
