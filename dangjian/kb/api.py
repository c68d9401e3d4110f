from ninja import Router

router = Router(tags=["12345 知识库"])
