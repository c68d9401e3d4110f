"""The demo city loader's plumbing: each app contributes a ``demo.py``.

``manage.py load_demo`` calls ``load(ctx)`` of ``dangjian.<app>.demo`` for
every Dangjian app in INSTALLED_APPS order, so a capability adds its demo
content by adding that module, imported through its own importers.
Every ``load`` must be idempotent: running it twice changes nothing.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import transaction

DEMO_PASSWORD = "dangjian-demo"


@dataclass
class DemoContext:
    data_dir: Path | None
    write: Callable[[str], object]
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Filled by the orgs loader; later loaders use them.
    people: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)

    @property
    def has_real_data(self) -> bool:
        return self.data_dir is not None

    def data_file(self, relative: str) -> Path | None:
        if self.data_dir is None:
            return None
        path = self.data_dir / relative
        return path if path.exists() else None


def find_data_dir() -> Path | None:
    path = Path(settings.DANGJIAN_DATA_DIR).expanduser()
    return path if (path / "city" / "units.json").exists() else None


def demo_modules() -> Iterator[tuple[AppConfig, ModuleType]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield config, module


def load_demo(
    write: Callable[[str], object] = print,
    data_dir: Path | None | Literal["auto"] = "auto",
) -> DemoContext:
    ctx = DemoContext(
        data_dir=find_data_dir() if data_dir == "auto" else data_dir, write=write
    )
    if ctx.data_dir is None:
        write(
            "未找到真实数据集（../shared/data 或 DANGJIAN_DATA_DIR），"
            "载入项目自带的小型示例城市。"
        )
    else:
        write(f"真实数据集：{ctx.data_dir}")
    for config, module in demo_modules():
        started = time.monotonic()
        with transaction.atomic():
            summary = module.load(ctx)
        write(
            f"  {config.verbose_name}: {summary or 'ok'} ({time.monotonic() - started:.1f}s)"
        )
    return ctx
