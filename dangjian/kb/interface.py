"""The knowledge base's public interface for other capabilities.

Tickets (12345 工单) read the console's search and propose new entries
through ``KnowledgeBase``, which kb registers under the ``dangjian_kb``
hook (``lib.plugins.KNOWLEDGE_BASE``); the caller imports no kb module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dangjian.kb.models import Entry, SearchLog
from dangjian.kb.search import search_entries


@dataclass(frozen=True)
class EntryMatch:
    id: int
    matter: str
    unit: str
    url: str
    snippet_html: str


class KnowledgeBase:
    def search(
        self, text: str, *, limit: int = 5, log: bool = False
    ) -> list[EntryMatch]:
        """Live, valid entries answering ``text``, best first: the operator
        console's search. With ``log`` the search is kept in the search log
        (channel 话务员工作台), so questions no entry answers reach the
        hot-questions dashboard."""
        results = search_entries(
            text,
            limit=limit,
            channel=SearchLog.Channel.CONSOLE if log else None,
        )
        return [
            EntryMatch(
                id=hit.id,
                matter=hit.entry.matter if hit.entry else "",
                unit=hit.unit,
                url=hit.url,
                snippet_html=hit.snippet_html,
            )
            for hit in results.hits
        ]

    def entry(self, pk: int) -> EntryMatch | None:
        """A live, valid entry by id (None for any other)."""
        entry = Entry.objects.searchable().select_related("owner").filter(pk=pk).first()
        if entry is None:
            return None
        return EntryMatch(
            entry.pk, entry.matter, entry.owner.name, entry.get_absolute_url(), ""
        )

    @transaction.atomic
    def propose_entry(
        self, *, owner_id: int, question: str, answer: str, source: str, user: Any
    ) -> int | None:
        """A draft entry of the owner unit (not live), submitted to the
        entries' review workflow; its id, or None when the unit keeps no
        knowledge entries."""
        from dangjian.orgs.models import Organisation

        owner = Organisation.objects.filter(pk=owner_id, maintains_kb=True).first()
        if owner is None or not answer.strip():
            return None
        entry = Entry(
            matter=question.strip()[:60] or "市民来电咨询",
            question=question.strip(),
            answer=answer.strip(),
            owner=owner,
            source=source[:300],
            live=False,
        )
        entry.save()
        revision = entry.save_revision(user=user, log_action=True)
        workflow = entry.get_workflow()
        if workflow is not None:
            workflow.start(entry, user)
        del revision
        return entry.pk


knowledge_base = KnowledgeBase()
