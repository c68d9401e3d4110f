from ninja import Router

router = Router(tags=["政策专员"])
