"""Training the dispatch classifier from the data set and the operators'
corrections (``manage.py train_dispatch``, the demo, the bench)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from dangjian.tickets.classifier import Example, Trained, read_messages, train
from dangjian.tickets.models import DispatchModel, Ticket
from dangjian.tickets.routing import store

MESSAGES = "hotline_kb_bj/messages.jsonl"


def messages_path() -> Path:
    return Path(settings.DANGJIAN_DATA_DIR).expanduser() / MESSAGES


def corrections() -> list[Example]:
    """Tickets whose suggested domain or type an operator corrected."""
    return [
        Example(text, domain, message_type)
        for text, domain, message_type in Ticket.objects.corrected().values_list(
            "text", "domain", "message_type"
        )
    ]


def train_and_store(
    path: Path | None = None, *, method: str = "svm"
) -> tuple[Trained, DispatchModel]:
    rows = read_messages(path or messages_path())
    fixes = corrections()
    trained = train(rows, fixes, method=method)
    return trained, store(trained, corrections=len(fixes))
