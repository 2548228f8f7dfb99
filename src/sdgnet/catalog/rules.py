"""Named permissions of the catalog: who may change a framework's entries."""

from __future__ import annotations

import rules

from sdgnet.accounts.rules import is_network_admin

# The entries of every framework (bounds, thresholds, target, weight, direction, goal,
# in the index): network admins only; everyone reads them on the framework pages.
rules.add_perm("catalog.edit_framework", is_network_admin)
