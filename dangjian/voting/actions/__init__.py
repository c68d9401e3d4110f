"""Changes to votes and voters. The API, the pages, the admin, the commands,
the demo, the benchmark and the tests call these.

One module per concept, every public name re-exported here, so that
``from dangjian.voting.actions import X`` keeps working:

* ``errors``: ``VoteRefused``, the refusal every action raises;
* ``casting``: ``check_cast_vote``, the one path a vote takes, and what a
  voter has left (``voter_remaining``, ``ledger_counts``);
* ``codes``: one-time codes proving a mobile number (``do_request_code``,
  ``check_verify_code``);
* ``tallies``: live tallies per candidate (``tally``, ``ledger_tally``);
* ``reconciliation``: the Redis tally checked against the ledger
  (``reconcile_campaign``);
* ``review``: voiding votes, dismissing flags, finalising results;
* ``visits``: page views and unique visitors.

Module constants (``casting.REPLAY_WAIT_SECONDS``, ``codes.CODE_MINUTES``)
are not re-exported: a test that changes one patches the module that reads
it.
"""

from __future__ import annotations

from dangjian.voting.actions.casting import (
    CastResult,
    candidate_id_from,
    check_cast_vote,
    check_eligible,
    ledger_counts,
    open_rule,
    voter_remaining,
)
from dangjian.voting.actions.codes import check_verify_code, do_request_code
from dangjian.voting.actions.errors import VoteRefused
from dangjian.voting.actions.reconciliation import Reconciliation, reconcile_campaign
from dangjian.voting.actions.review import (
    do_dismiss_flags,
    do_finalise_campaign,
    do_void_votes,
    void_summary,
)
from dangjian.voting.actions.tallies import ledger_tally, tally
from dangjian.voting.actions.visits import count_visit, sync_visits, visit_totals

__all__ = [
    "CastResult",
    "Reconciliation",
    "VoteRefused",
    "candidate_id_from",
    "check_cast_vote",
    "check_eligible",
    "check_verify_code",
    "count_visit",
    "do_dismiss_flags",
    "do_finalise_campaign",
    "do_request_code",
    "do_void_votes",
    "ledger_counts",
    "ledger_tally",
    "open_rule",
    "reconcile_campaign",
    "sync_visits",
    "tally",
    "visit_totals",
    "void_summary",
    "voter_remaining",
]
