"""Peer bands and nearest-peer members stored at rescore time."""

from __future__ import annotations

import pytest
from django.conf import settings

from sdgnet.scores.actions import BAND_MIN_SIZE, peer_bands


def test_peer_band_quartiles_interpolate_linearly() -> None:
    rows = [(code, "x", 2020, value) for code, value in [("a", 1), ("b", 2), ("c", 3), ("d", 4)]]
    rows.append(("e", "x", 2020, None))  # missing: not a value
    groups = {"a": ["g"], "b": ["g"], "c": ["g"], "d": ["h"]}
    bands = {
        (group, year): (size, q1, median, q3)
        for group, _k, year, size, q1, median, q3 in peer_bands(rows, groups)
    }
    assert bands[("all", 2020)] == (4, 1.75, 2.5, 3.25)
    assert bands[("g", 2020)] == (3, 1.5, 2.0, 2.5)
    assert ("h", 2020) not in bands  # one member: fewer than BAND_MIN_SIZE
    assert BAND_MIN_SIZE == 3


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
