"""The shared test city plus the hotline: an operator, dispatch rules
(城建 → 市委宣传部 = unit A, 治安 → 市公安局 = unit B) and a classifier
trained on a small made-up set of messages."""

from __future__ import annotations

import datetime as dt

from dangjian.orgs.models import Person
from dangjian.test import BaseTestCase, make_person
from dangjian.tickets.actions import Intake, check_receive
from dangjian.tickets.classifier import Example, train
from dangjian.tickets.models import DispatchRule, Ticket
from dangjian.tickets.operators import do_make_operator
from dangjian.tickets.routing import forget_loaded, store

TEMPLATES = {
    "城建": [
        "小区{n}号楼房屋漏水，物业不维修",
        "老旧小区{n}加装电梯怎么申请",
        "楼道{n}墙皮脱落，请住建部门处理",
        "小区{n}拆迁补偿标准是什么",
    ],
    "治安": [
        "晚上{n}点有人在街上打架斗殴",
        "小区{n}门口电动车被盗，请派出所处理",
        "有人在{n}号摊位诈骗老人",
        "夜里{n}点酒吧噪音扰民还有人闹事",
    ],
    "交通": [
        "{n}路公交车经常不按时到站",
        "地铁{n}号线什么时候开通",
        "路口{n}红绿灯时间太短",
        "{n}号高速出口拥堵严重",
    ],
}
TYPE_OF = {0: "投诉/求助", 1: "咨询", 2: "投诉/求助", 3: "咨询"}


def tiny_messages() -> list[Example]:
    rows = []
    for domain, templates in TEMPLATES.items():
        for i, template in enumerate(templates):
            for n in range(1, 16):
                rows.append(Example(template.format(n=n), domain, TYPE_OF[i]))
    return rows


class TicketsTestCase(BaseTestCase):
    operator: Person

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.operator = make_person("operator", "话务员小刘")
        do_make_operator(cls.operator)
        DispatchRule.objects.create(domain="城建", unit=cls.unit_a)
        DispatchRule.objects.create(domain="治安", unit=cls.unit_b)
        DispatchRule.objects.create(keywords="燃气,煤气", unit=cls.unit_b, priority=5)
        store(train(tiny_messages(), seed=1))

    def setUp(self):
        forget_loaded()

    def receive(self, text="小区3号楼房屋漏水，物业不维修", **kwargs) -> Ticket:
        kwargs.setdefault("caller_phone", "13800138000")
        kwargs.setdefault("caller_name", "张三")
        when = kwargs.pop("when", None)
        return check_receive(Intake(text=text, **kwargs), user=self.operator, when=when)

    def dispatched(self, **kwargs) -> Ticket:
        kwargs.setdefault("unit_id", self.unit_a.pk)
        return self.receive(**kwargs)


MONDAY = dt.date(2026, 3, 2)
