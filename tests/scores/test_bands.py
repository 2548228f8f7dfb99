"""Peer bands and nearest-peer members stored at rescore time."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_stored_bands_agree_with_the_engines_peer_standing() -> None:
    from sdgnet.catalog.models import Framework
    from sdgnet.scores.actions import do_rescore_framework
    from sdgnet.scores.models import NearestPeer, PeerBand, PeerStanding

    run = do_rescore_framework(Framework.objects.get(slug="kommunale-baerekraftsindikatorer"))
    standings = PeerStanding.objects.filter(run=run, place_id="3201").exclude(
        group__startswith="nearest:"
    )
    assert standings.count() >= 8
    for standing in standings:
        band = PeerBand.objects.get(
            run=run, group=standing.group, indicator=standing.indicator, year=standing.year
        )
        assert band.size == standing.group_size
        assert band.q1 == pytest.approx(standing.group_q1)
        assert band.q3 == pytest.approx(standing.group_q3)
    # Context indicators get bands too (goal pages draw them).
    assert PeerBand.objects.filter(run=run, indicator_id="population-share-80plus").exists()
    nearest = set(
        NearestPeer.objects.filter(run=run, place_id="3201").values_list("peer_id", flat=True)
    )
    assert "3201" in nearest and len(nearest) == settings.SDGNET_PEER_K + 1
    size = PeerStanding.objects.get(
        run=run, place_id="3201", group="nearest:3201", indicator_id="voter-turnout-storting"
    ).group_size
    assert size == len(nearest)  # every nearest peer has a 2025 turnout
