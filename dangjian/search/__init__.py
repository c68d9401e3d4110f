"""One search layer for the knowledge base, disclosure items and study materials.

    from dangjian.search import register_index, get_index, Document

See README.md in this folder for the interface.
"""

from dangjian.search.registry import get_index, register_index, registered
from dangjian.search.types import Document, Hit, SearchResults

__all__ = [
    "Document",
    "Hit",
    "SearchResults",
    "get_index",
    "register_index",
    "registered",
]
