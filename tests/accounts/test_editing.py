"""Editors write for their own municipality only, by page and by API; imports keep
provenance; every write is in the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sdgnet.accounts.models import AuditEvent
from sdgnet.network.models import LocalTarget, Membership
from sdgnet.observations.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
HOME = "3201"  # as in conftest.py
OTHER = "0301"
Person = Any


def state() -> tuple[list[tuple[Any, ...]], int, int, int]:
    return (
        list(
            Observation.objects.order_by("pk").values_list(
                "pk", "place_id", "indicator_id", "year", "value", "embargoed"
            )
        ),
        ImportBatch.objects.count(),
        LocalTarget.objects.count(),
        Membership.objects.count(),
    )


def client_for(who: Person) -> Client:
    client = Client()
    client.force_login(who.user)
    return client


def csv_file(*rows: str) -> SimpleUploadedFile:
    text = "place,indicator,year,value\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")


def test_editor_uploads_previews_and_confirms(people: dict[str, Person]) -> None:
    client = client_for(people["editor"])
    response = client.post(
        "/data/upload/",
        {"file": csv_file(f"{HOME},{TURNOUT},2026,77.7"), "source": "Bærum kommune"},
    )
    assert response.status_code == 200
    assert not Observation.objects.filter(indicator_id=TURNOUT, year=2026).exists()  # a preview
    key = response.context["upload"]
    response = client.post("/data/upload/confirm/", {"upload": key})
    assert response.status_code == 302
    written = Observation.objects.get(place_id=HOME, indicator_id=TURNOUT, year=2026)
    assert written.value == 77.7
    assert written.batch.created_by == people["editor"].user  # provenance
    assert written.batch.source == "Bærum kommune"
    event = AuditEvent.objects.get(
        action="observations.import_observations", actor=people["editor"].user
    )
    assert event.after is not None and event.after["created"] == 1


def test_preview_names_every_row_problem(people: dict[str, Person]) -> None:
    client = client_for(people["editor"])
    response = client.post(
        "/data/upload/",
        {
            "file": csv_file(
                f"{HOME},{TURNOUT},2026,77.7",
                f"{OTHER},{TURNOUT},2026,70.0",
                f"{HOME},no-such-indicator,2026,1",
                f"{HOME},{TURNOUT},year,1",
            ),
            "source": "Bærum kommune",
        },
    )
    problems = response.context["report"].problems
    assert sorted({p.line for p in problems}) == [3, 4, 5]
    assert response.context["upload"] not in response.wsgi_request.session.get("sdgnet_uploads", {})


def test_uploads_are_limited_in_type(people: dict[str, Person]) -> None:
    client = client_for(people["editor"])
    bad = SimpleUploadedFile("evil.html", b"<script>", content_type="text/html")
    response = client.post("/data/upload/", {"file": bad, "source": "x"})
    assert response.status_code == 200
    assert response.context.get("problems")


def test_an_editor_cannot_write_another_municipality_by_page(people: dict[str, Person]) -> None:
    before = state()
    client = client_for(people["other_editor"])
    # Upload, single value, local target, membership application, publish.
    response = client.post(
        "/data/upload/", {"file": csv_file(f"{HOME},{TURNOUT},2026,1"), "source": "x"}
    )
    assert response.context["report"].problems
    response = client.post(
        "/data/enter/",
        {"place": HOME, "indicator": TURNOUT, "year": 2026, "value": "1", "source": "x"},
    )
    assert response.status_code == 200 and response.context["problems"]
    response = client.post(
        f"/network/targets/{HOME}/", {"indicator": TURNOUT, "value": 90, "year": 2030}
    )
    assert response.status_code == 404
    response = client.post("/network/apply/", {"place": HOME, "motivation": "x"})
    assert response.status_code in (200, 403)
    embargoed = Observation.objects.filter(place_id=HOME).first()
    assert embargoed is not None
    response = client.post(f"/data/batches/{embargoed.batch_id}/publish/")
    assert response.status_code in (403, 404)
    assert state() == before


def test_an_editor_cannot_write_another_municipality_by_api(people: dict[str, Person]) -> None:
    before = state()
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {people['other_editor'].token}"}
    rows = [
        {"place": OTHER, "indicator": TURNOUT, "year": 2026, "value": 50.0},
        {"place": HOME, "indicator": TURNOUT, "year": 2026, "value": 1.5},
    ]
    response = client.post(
        "/api/v1/observations", json.dumps(rows), content_type="application/json", **auth
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_rows"
    assert [p["index"] for p in body["problems"]] == [1]  # the Bærum row, named
    response = client.post(
        "/api/v1/local-targets",
        json.dumps({"place": HOME, "indicator": TURNOUT, "value": 90}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    batch = Observation.objects.filter(place_id=HOME).first()
    assert batch is not None
    response = client.post(f"/api/v1/batches/{batch.batch_id}/publish", **auth)
    assert response.status_code == 404
    assert state() == before


def test_api_write_all_or_nothing_and_then_read_back(people: dict[str, Person]) -> None:
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {people['editor'].token}"}
    rows = [
        {"place": HOME, "indicator": TURNOUT, "year": 2026, "value": 81.5},
        {"place": HOME, "indicator": TURNOUT, "year": 2027, "value": None},
    ]
    response = client.post(
        "/api/v1/observations", json.dumps(rows), content_type="application/json", **auth
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    response = client.get(f"/api/v1/observations?place={HOME}&indicator={TURNOUT}&year_from=2026")
    body = response.json()
    assert body["count"] == 2
    assert [item["value"] for item in body["items"]] == [81.5, None]
    # The same rows again change nothing.
    response = client.post(
        "/api/v1/observations", json.dumps(rows), content_type="application/json", **auth
    )
    assert response.status_code == 200 and response.json()["batch"] is None


def test_citizens_and_partners_cannot_write_by_api(people: dict[str, Person]) -> None:
    for name in ("citizen", "partner"):
        response = Client().post(
            "/api/v1/observations",
            json.dumps([{"place": HOME, "indicator": TURNOUT, "year": 2026, "value": 1}]),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {people[name].token}",
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def test_membership_and_learning_groups(people: dict[str, Person]) -> None:
    admin = client_for(people["municipality_admin"])
    assert admin.post("/network/apply/", {"place": HOME, "motivation": "Vi vil"}).status_code == 302
    membership = Membership.objects.get(place_id=HOME)
    network = client_for(people["network_admin"])
    response = network.post(
        f"/network/applications/{membership.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    response = network.post(
        "/network/groups/new/",
        {
            "name": "Klima",
            "description": "**Klima** <script>x</script>",
            "goals": "13",
            "members": HOME,
        },
    )
    assert response.status_code == 302
    page = Client().get("/network/groups/klima/")
    assert b"<strong>Klima</strong>" in page.content
    assert b"<script>x" not in page.content
    assert Client().get("/api/v1/network/members").json()["items"][0]["place"] == HOME


def test_local_target_beside_the_framework_target(people: dict[str, Person]) -> None:
    client = client_for(people["editor"])
    response = client.post(
        f"/network/targets/{HOME}/", {"indicator": TURNOUT, "value": 90, "year": 2030}
    )
    assert response.status_code == 302
    target = LocalTarget.objects.get(place_id=HOME, indicator_id=TURNOUT)
    assert target.value == 90
    assert AuditEvent.objects.filter(action="network.set_local_target").exists()
    assert Client().get(f"/api/v1/local-targets?place={HOME}").json()["count"] == 1
