"""Training: the command on its own held-out split, stored versions, the
operators' corrections in the next training, and a model round trip."""

from __future__ import annotations

import io
import json
import tempfile
import time
from pathlib import Path

from django.core.management import CommandError, call_command

from dangjian.tickets.classifier import Classifier, Example, split, train
from dangjian.tickets.models import DispatchModel
from dangjian.tickets.routing import active_classifier, route
from dangjian.tickets.tests.base import TicketsTestCase, tiny_messages
from dangjian.tickets.training import corrections


def write_jsonl(rows: list[Example]) -> Path:
    handle = tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", delete=False, encoding="utf-8"
    )
    with handle:
        for i, r in enumerate(rows):
            row = {"id": f"m{i}", "text": r.text, "domain": r.domain}
            handle.write(json.dumps({**row, "message_type": r.message_type}) + "\n")
    return Path(handle.name)


class TrainingTestCase(TicketsTestCase):
    def test_the_command_trains_stores_a_version_and_prints_its_figures(self):
        path = write_jsonl(tiny_messages())
        out = io.StringIO()
        call_command("train_dispatch", file=str(path), stdout=out)
        text = out.getvalue()
        self.assertIn("派单模型 v2", text)
        self.assertRegex(text, r"领域：留出集 \d+ 条，准确率 [01]\.\d{3}，宏平均 F1")
        self.assertRegex(text, r"类型：留出集 \d+ 条，准确率 [01]\.\d{3}")
        latest = DispatchModel.objects.first()
        self.assertEqual(latest.version, 2)
        self.assertGreater(latest.metrics["domain"]["accuracy"], 0.8)
        self.assertEqual(active_classifier()[0], 2)
        self.assertEqual(route("小区5号楼房屋漏水").version, 2)

    def test_a_missing_file_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "找不到训练数据"):
            call_command("train_dispatch", file="/nonexistent/messages.jsonl")

    def test_the_split_is_fixed_by_its_seed(self):
        rows = tiny_messages()
        a, b = split(rows), split(rows)
        self.assertEqual([r.text for r in a[1]], [r.text for r in b[1]])
        self.assertEqual(len(a[1]), len(rows) // 5)
        self.assertNotEqual(
            [r.text for r in split(rows, seed=2)[1]], [r.text for r in a[1]]
        )

    def test_operators_corrections_teach_the_next_training(self):
        text = "小区门口共享单车乱停放堵住消防通道"
        suggested = route(text).prediction
        assert suggested is not None
        other = "交通" if suggested.domain != "交通" else "治安"
        for _ in range(3):
            self.receive(text, domain=other, message_type="投诉/求助")
        self.receive("小区5号楼房屋漏水")  # accepted as suggested
        fixes = corrections()
        self.assertTrue(all(f.domain == other for f in fixes))
        self.assertEqual(len(fixes), 3)
        trained = train(tiny_messages(), fixes, seed=1)
        self.assertEqual(trained.training_rows, len(tiny_messages()) * 4 // 5 + 3)
        path = write_jsonl(tiny_messages())
        call_command("train_dispatch", file=str(path), stdout=io.StringIO())
        self.assertEqual(DispatchModel.objects.first().corrections, 3)

    def test_the_stored_model_round_trips_and_classifies_quickly(self):
        blob = DispatchModel.objects.get(version=1).blob
        model = Classifier.loads(bytes(blob))
        model.predict("热身")
        started = time.perf_counter()
        for _ in range(20):
            p = model.predict("晚上8点有人在街上打架斗殴")
        per_call = (time.perf_counter() - started) / 20
        self.assertEqual(p.domain, "治安")
        self.assertLess(per_call, 0.02)
        self.assertAlmostEqual(sum(x for _d, x in p.types), 1.0, places=3)
        with self.assertRaises(ValueError):
            Classifier.loads(b"not a model")


class SelfTrainingTestCase(TicketsTestCase):
    def test_messages_without_a_domain_teach_the_domain_model_its_own_labels(self):
        # The data set leaves a fifth of its messages without a domain: the
        # model labels those it is sure of and learns their other words.
        rows = tiny_messages()
        unlabelled = [
            Example(f"地铁{n}号线什么时候开通，共享单车停放点在哪里", "", "咨询")
            for n in range(1, 16)
        ]
        asked = "共享单车停放点太少"
        without = train(rows, seed=1).classifier.predict(asked)
        taught = train(rows + unlabelled, seed=1).classifier.predict(asked)
        self.assertLess(without.domain_confidence, 0.6)
        self.assertEqual(taught.domain, "交通")
        self.assertGreater(taught.domain_confidence, 0.75)
