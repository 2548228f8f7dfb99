"""Who to learn from, on the default data and the seed library as `sdgnet setup` loads
them (no fixture): Bærum's weakest indicators lead to peers that improved and to their
projects linked to those indicators, with a contact."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client

from sdgnet.places.models import Place
from sdgnet.projects.learning import who_to_learn_from

BAERUM = "3201"
pytestmark = pytest.mark.usefixtures("stored_scores")


@pytest.mark.django_db
def test_baerum_learns_from_improving_peers_and_their_linked_projects() -> None:
    learning = who_to_learn_from(AnonymousUser(), Place.objects.get(code=BAERUM))
    assert learning, "Bærum has scored indicators in the default data"
    linked = [
        (weak.indicator.key, peer, project)
        for weak in learning
        for peer in weak.peers
        if not peer.projects_by_goal
        for project in peer.projects
    ]
    assert linked, "at least one improving peer has a project linked to a weak indicator"
    for indicator, peer, project in linked:
        assert peer.improvement_per_year > 0
        assert peer.place.code != BAERUM
        assert project.published and project.visibility == "public"
        assert indicator in {i.key for i in project.indicators.all()}
        assert project.municipality_id == peer.place.code
        assert project.source_url.startswith("https://")
        assert project.contact_name or project.contact_email or peer.place.url


@pytest.mark.django_db
def test_baerum_dashboard_and_library_show_those_projects() -> None:
    learning = who_to_learn_from(AnonymousUser(), Place.objects.get(code=BAERUM))
    keys = {p.key for weak in learning for peer in weak.peers for p in peer.projects}
    cache.clear()  # pages cached by other tests were rendered before these scores
    dashboard = Client().get(f"/places/{BAERUM}/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert any(f"/projects/p/{key}/" in html for key in keys)
    twin = json.loads(Client().get(f"/places/{BAERUM}/?format=json").content)
    listed = {
        project["key"]
        for weak in twin["who_to_learn_from"]
        for peer in weak["peers"]
        for project in peer["projects"]
    }
    assert listed and listed <= keys
    library = json.loads(Client().get(f"/projects/learn/{BAERUM}/?format=json").content)
    assert keys == {
        key for weak in library["weakest"] for peer in weak["peers"] for key in peer["projects"]
    }
