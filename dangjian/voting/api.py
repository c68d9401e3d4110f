from ninja import Router

router = Router(tags=["投票"])
