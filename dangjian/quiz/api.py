from ninja import Router

router = Router(tags=["答题与知识竞赛"])
