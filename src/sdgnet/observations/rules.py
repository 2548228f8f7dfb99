"""Named permissions on observations. A permission's object is a place (a `Place` or a
municipality number): editors and municipality admins act for their own municipality,
network admins for every one."""

from __future__ import annotations

import rules

from sdgnet.accounts.rules import (
    acts_for_place,
    administers_place,
    is_municipal_staff,
    is_network_admin,
)

# The editing pages (without an object): anyone who enters data for some place.
rules.add_perm("observations.enter_data", is_network_admin | is_municipal_staff)
# The page of unpublished imports: editors see their municipality's there (as they see its
# embargoed values everywhere else, and in the API's list); who may publish one is
# `observations.publish_batch`.
rules.add_perm("observations.review_embargo", is_network_admin | is_municipal_staff)

# Upload a file or enter values for a place (without an object: for some place).
rules.add_perm(
    "observations.import_observations",
    is_network_admin | acts_for_place,
)
rules.add_perm("observations.view_embargoed", is_network_admin | acts_for_place)
# Publishing an embargoed import is for the municipality's admin or a network admin.
rules.add_perm("observations.publish_batch", is_network_admin | administers_place)
