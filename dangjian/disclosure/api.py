from ninja import Router

router = Router(tags=["党务公开"])
