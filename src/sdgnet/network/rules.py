"""Named permissions of the network: membership, learning groups, local targets."""

from __future__ import annotations

import rules

from sdgnet.accounts.rules import (
    acts_for_place,
    administers_place,
    is_municipality_admin,
    is_network_admin,
)

# A municipality applies through its own administrator (object: the place).
rules.add_perm("network.apply_membership", is_network_admin | administers_place)
rules.add_perm("network.start_application", is_network_admin | is_municipality_admin)
rules.add_perm("network.decide_membership", is_network_admin)
rules.add_perm("network.manage_learning_groups", is_network_admin)
# Local targets: the municipality's staff or a network admin (object: the place).
rules.add_perm("network.set_local_target", is_network_admin | acts_for_place)
