"""The stats API."""

from ninja import Router

router = Router(tags=["stats"])
