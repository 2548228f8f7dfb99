"""The upload and entry pages: preview counts, the form's fields, messages in the page's
language. Real users, the real importer and the real database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.observations.models import Observation

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
HOME = "3201"  # Bærum
OTHER = "3203"  # Asker


def client_for(role: str, place: str | None = None) -> Client:
    user = do_create_user(f"{role}@example.no", role, place=place)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor() -> Client:
    return client_for(Role.EDITOR, HOME)


@pytest.fixture
def network_admin() -> Client:
    return client_for(Role.NETWORK_ADMIN)


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_another_municipalitys_row_is_a_problem_not_a_valid_observation(editor: Client) -> None:
    response = editor.post(
        "/data/upload/",
        {
            "file": upload(
                "data.csv",
                f"place,indicator,year,value\n{HOME},{TURNOUT},2026,77.7\n"
                f"{OTHER},{TURNOUT},2026,70.0\n",
            ),
            "source": "Bærum kommune",
        },
    )
    report: Any = response.context["report"]
    assert [problem.line for problem in report.problems] == [3]
    assert report.rows_read == 2
    assert report.rows_valid == 1


def test_a_file_with_a_source_column_needs_no_source_in_the_form(editor: Client) -> None:
    response = editor.post(
        "/data/upload/",
        {
            "file": upload(
                "data.csv", f"place,indicator,year,value,source\n{HOME},{TURNOUT},2026,77.7,SSB\n"
            ),
            "source": "",
        },
    )
    report: Any = response.context["report"]
    assert report.ok, report.problems
    assert report.created == 1


WIDE_HOME = 'kommune;2019;2020\n3201;"1 234,5";12,5\n'
WIDE = WIDE_HOME + "3203;7;8\n"


def test_a_wide_file_is_uploaded_with_the_indicator_chosen_in_the_form(editor: Client) -> None:
    refused = editor.post(
        "/en/data/upload/", {"file": upload("wide.csv", WIDE), "source": "SSB"}
    ).context["report"]
    # Each line is named once, although a wide line holds several values.
    assert [problem.line for problem in refused.problems] == [2]
    assert "(lines 2, 3)" in refused.problems[0].message
    response = editor.post(
        "/data/upload/",
        {"file": upload("wide.csv", WIDE_HOME), "source": "SSB", "indicator": "population"},
    )
    report: Any = response.context["report"]
    assert report.ok, report.problems
    assert report.rows_valid == 2
    confirmed = editor.post("/data/upload/confirm/", {"upload": response.context["upload"]})
    assert confirmed.status_code == 302
    assert Observation.objects.get(place_id=HOME, indicator_id="population", year=2019).value == (
        1234.5
    )


@pytest.mark.parametrize("number", ["9999", "abcd", "0219"])
def test_a_network_admins_municipality_number_must_be_todays(
    network_admin: Client, number: str
) -> None:
    response = network_admin.post(
        "/data/upload/",
        {
            "file": upload("data.csv", f"place,indicator,year,value\n{HOME},{TURNOUT},2026,1\n"),
            "source": "x",
            "place": number,
        },
    )
    assert "report" not in response.context  # no preview: the form is sent back
    assert response.context["form"].errors["place"]


def test_a_network_admins_municipality_number_is_read_as_a_files(network_admin: Client) -> None:
    response = network_admin.post(
        "/data/upload/",
        {
            "file": upload("data.csv", f"place,indicator,year,value\n301,{TURNOUT},2026,1\n"),
            "source": "x",
            "place": "301",
        },
    )
    report: Any = response.context["report"]
    assert report.ok, report.problems
    assert response.context["pending"]["place"] == "0301"


def test_the_preview_shows_the_notes_and_the_values_left_out(editor: Client) -> None:
    text = "kommune;2019;2020;navn\n0219;5;..;Bærum\n3024;..;6;Bærum\n"
    response = editor.post(
        "/en/data/upload/",
        {
            "file": SimpleUploadedFile("wide.csv", text.encode("cp1252")),
            "source": "SSB",
            "indicator": "population",
        },
    )
    report: Any = response.context["report"]
    assert report.ok, report.problems
    assert (report.rows_valid, report.rows_dropped) == (2, 2)
    page = response.content.decode()
    assert "Windows-1252" in page
    assert "2 missing values under municipality numbers not in use that year" in page
