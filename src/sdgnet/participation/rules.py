"""Named permissions of participation.

Anyone signed in (citizens, partners, staff) proposes to any municipality and supports
proposals that are still open. The municipality's staff (and network admins) answer a
proposal; its municipality admins (and network admins) hide one that breaks the rules,
with a reason, and restore it. A hidden proposal is seen only by them and its author.
"""

from __future__ import annotations

from typing import Any

import rules

from sdgnet.accounts.rules import (
    acts_for_place,
    administers_place,
    is_authenticated,
    is_network_admin,
)


@rules.predicate
def answers_for_proposal(user: Any, proposal: Any) -> bool:
    return proposal is not None and acts_for_place(user, proposal.place_id)


@rules.predicate
def moderates_proposal(user: Any, proposal: Any) -> bool:
    return proposal is not None and administers_place(user, proposal.place_id)


@rules.predicate
def is_proposal_author(user: Any, proposal: Any) -> bool:
    return (
        proposal is not None
        and getattr(user, "is_authenticated", False)
        and proposal.created_by_id == user.pk
    )


@rules.predicate
def is_unanswered(_user: Any, proposal: Any) -> bool:
    return (
        proposal is not None
        and proposal.status == proposal.Status.OPEN
        and not proposal.response
        and proposal.responded_at is None
    )


@rules.predicate
def gathers_support(_user: Any, proposal: Any) -> bool:
    return proposal is not None and not proposal.hidden and not proposal.is_decided


can_moderate = is_network_admin | moderates_proposal

rules.add_perm("participation.propose", is_authenticated)
rules.add_perm("participation.set_priorities", is_authenticated)
rules.add_perm("participation.support", is_authenticated & gathers_support)
rules.add_perm("participation.respond", is_network_admin | answers_for_proposal)
rules.add_perm("participation.moderate", can_moderate)
rules.add_perm("participation.view_hidden", can_moderate | is_proposal_author)
# Its author takes a proposal back while the municipality has not answered it.
rules.add_perm("participation.withdraw", is_proposal_author & is_unanswered)
# The Django admin lists proposals to network administrators (read only).
rules.add_perm("participation.view_proposal", is_network_admin)
