"""Named permissions of the partners' pledges.

A partner pledges for the organisation named on their account; anyone with the same
organisation reports progress on its pledges, fulfils or withdraws them. The pledge's
municipality administrators (and network admins) hide a pledge that breaks the rules,
with a reason, and show it again. A hidden pledge is seen only by them and its
organisation.
"""

from __future__ import annotations

from typing import Any

import rules

from sdgnet.accounts.rules import administers_place, is_network_admin, is_partner


def organisation_key(name: str) -> str:
    """An organisation's name as compared: without case, surrounding or repeated spaces."""
    return " ".join(name.split()).casefold()


def organisation_of(user: Any) -> str:
    """The organisation a partner acts for, as written on their account ("" if none)."""
    if not is_partner(user):
        return ""
    try:
        return str(user.profile.organisation).strip()
    except Exception:  # a user without a profile row
        return ""


@rules.predicate
def has_organisation(user: Any) -> bool:
    return bool(organisation_of(user))


@rules.predicate
def acts_for_pledge(user: Any, pledge: Any) -> bool:
    own = organisation_of(user)
    return bool(pledge is not None and own and organisation_key(own) == pledge.organisation_key)


@rules.predicate
def moderates_pledge(user: Any, pledge: Any) -> bool:
    return pledge is not None and administers_place(user, pledge.place_id)


can_moderate = is_network_admin | moderates_pledge

rules.add_perm("partners.pledge", is_partner & has_organisation)
rules.add_perm("partners.report_progress", acts_for_pledge)
rules.add_perm("partners.moderate_pledge", can_moderate)
rules.add_perm("partners.view_hidden_pledge", can_moderate | acts_for_pledge)
# The Django admin lists pledges to network administrators (read only).
rules.add_perm("partners.view_pledge", is_network_admin)
