"""Signals other apps listen to. The study archive records finished attempts.

``attempt_finished`` is declared in ``dangjian.lib.events`` so that a
listener needs no import of quiz; it is the same signal object.
"""

from dangjian.lib.events import attempt_finished

__all__ = ["attempt_finished"]
