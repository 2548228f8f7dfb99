"""The embedded default dataset: real counts, loaded idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from sdgnet.catalog.models import Framework, Goal, SdgIndicator, Target
from sdgnet.observations.models import DataVersion, ImportBatch, Observation
from sdgnet.places.models import PeerGroup, Place
from sdgnet.web.defaultload import load_default_data

pytestmark = pytest.mark.django_db


def test_catalog_counts() -> None:
    assert Goal.objects.count() == 17
    assert Target.objects.count() == 169
    assert SdgIndicator.objects.count() >= 231  # the UN's 2023 list (unique codes)
    assert not SdgIndicator.objects.filter(
        code__in=["1.a.3", "8.9.2", "11.c.1", "13.3.2", "17.6.2"]
    ).exists()
    assert Goal.objects.get(number=13).colour.upper() == "#3F7E44"


def test_places_counts() -> None:
    assert Place.objects.filter(kind=Place.Kind.COUNTY).count() == 15
    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY)
    assert municipalities.count() == 357
    assert sum(municipalities.values_list("population", flat=True)) == 5_550_203
    baerum = Place.objects.get(code="3201")
    assert (baerum.name, baerum.parent_id) == ("Bærum", "32")


def test_builtin_peer_groups_cover_every_municipality() -> None:
    for kind in (PeerGroup.Kind.COUNTY, PeerGroup.Kind.SIZE_CLASS):
        members = Place.objects.filter(peer_groups__kind=kind).values_list("code", flat=True)
        assert len(members) == 357 == len(set(members))


def test_frameworks_and_real_observations_are_loaded() -> None:
    default = Framework.objects.get(is_default=True)
    assert default.slug == "kommunale-baerekraftsindikatorer"
    assert Framework.objects.get(slug="u4ssc").entries.count() == 111
    assert Observation.objects.filter(
        place_id="3201", indicator_id="voter-turnout-storting", year=2025
    ).exists()
    assert Observation.objects.filter(indicator_id="population", year=2024).count() == 357
    assert not Observation.objects.filter(value=0, indicator_id="voter-turnout-storting").exists()


def test_loading_again_changes_nothing() -> None:
    before = (Observation.objects.count(), ImportBatch.objects.count(), DataVersion.objects.count())
    reports = load_default_data(say=lambda _line: None)
    assert all(report.created == report.changed == 0 for report in reports)
    assert (
        Observation.objects.count(),
        ImportBatch.objects.count(),
        DataVersion.objects.count(),
    ) == before


def test_setup_command_is_idempotent() -> None:
    before = (Observation.objects.count(), ImportBatch.objects.count())
    call_command("setup", verbosity=0)
    assert (Observation.objects.count(), ImportBatch.objects.count()) == before
