"""The entry page reads a typed number with its language's decimal mark (bokmål: the comma,
English: the point), refuses on the field a point or comma that could group thousands
instead, and says back the number as it was read. Real users, the real view, the real
importer and the real database."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from sdgnet.observations.models import Observation

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
POPULATION = "population"  # persons: no range, so 130 921 and 130.921 both fit
POPULATION_NAME = {"": "Folketall", "/en": "Population"}
YEAR = 2026
NBSP, NNBSP = "\u00a0", "\u202f"


def enter(client: Client, prefix: str, value: str) -> tuple[int, str]:
    """Post the value, follow a redirect, and return the final status and page text."""
    response = client.post(
        f"{prefix}/data/enter/",
        {
            "place": HOME,
            "indicator": POPULATION,
            "year": YEAR,
            "value": value,
            "source": "Bærum kommune",
        },
        follow=True,
    )
    return response.status_code, html.unescape(response.content.decode())


def stored() -> list[float | None]:
    return list(
        Observation.objects.filter(place_id=HOME, indicator_id=POPULATION, year=YEAR).values_list(
            "value", flat=True
        )
    )


@pytest.mark.parametrize(
    ("prefix", "typed", "number", "shown"),
    [
        # Bokmål: the comma marks decimals; spaces of any kind group thousands.
        ("", "130 921", 130921.0, f"130{NBSP}921"),
        ("", f"130{NBSP}921,5", 130921.5, f"130{NBSP}921,5"),
        ("", f"130{NNBSP}921,5", 130921.5, f"130{NBSP}921,5"),
        ("", "130,921", 130.921, "130,921"),
        ("", "130,5", 130.5, "130,5"),
        ("", "130.5", 130.5, "130,5"),  # a point before one digit cannot group thousands
        ("", "-3,2", -3.2, "-3,2"),
        ("", "1.234,5", 1234.5, f"1{NBSP}234,5"),
        # A mark that stands twice can only group thousands, in either language.
        ("", "1.234.567", 1234567.0, f"1{NBSP}234{NBSP}567"),
        ("", "1,234,567", 1234567.0, f"1{NBSP}234{NBSP}567"),
        ("/en", "1.234.567", 1234567.0, "1,234,567"),
        ("/en", "-1,234,567", -1234567.0, "-1,234,567"),
        # English: the point marks decimals.
        ("/en", "130.921", 130.921, "130.921"),
        ("/en", "130 921", 130921.0, "130,921"),
        ("/en", f"130{NBSP}921,5", 130921.5, "130,921.5"),
        ("/en", "130,5", 130.5, "130.5"),
        ("/en", "-3,2", -3.2, "-3.2"),
        ("/en", "1,234.5", 1234.5, "1,234.5"),
    ],
)
def test_a_typed_number_is_read_with_the_pages_decimal_mark_and_shown_back(
    editor: Client, prefix: str, typed: str, number: float, shown: str
) -> None:
    status, page = enter(editor, prefix, typed)
    assert status == 200
    assert stored() == [number]
    confirmation = {
        "": f"Lagret: {shown} for {POPULATION_NAME['']}, {HOME}, {YEAR}.",
        "/en": f"Saved: {shown} for {POPULATION_NAME['/en']}, {HOME}, {YEAR}.",
    }[prefix]
    assert confirmation in page


@pytest.mark.parametrize(
    ("prefix", "typed", "error"),
    [
        ("", "130.921", "Skriv 130921 eller 130,921 – punktum kan bety tusenskille."),
        ("", "1 130.921", "Skriv 1130921 eller 1 130,921 – punktum kan bety tusenskille."),
        ("", "−130.921", "Skriv -130921 eller -130,921 – punktum kan bety tusenskille."),
        ("/en", "130,921", "Write 130921 or 130.921 – a comma can separate thousands."),
    ],
)
def test_a_mark_that_may_group_thousands_is_refused_on_the_field(
    editor: Client, prefix: str, typed: str, error: str
) -> None:
    before = stored()
    response = editor.post(
        f"{prefix}/data/enter/",
        {"place": HOME, "indicator": POPULATION, "year": YEAR, "value": typed, "source": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"] == [error]
    assert error in html.unescape(response.content.decode())
    assert stored() == before


def test_a_missing_value_is_saved_and_said_so(editor: Client) -> None:
    status, page = enter(editor, "", "..")
    assert status == 200
    assert stored() == [None]
    assert f"Lagret som manglende: {POPULATION_NAME['']}, {HOME}, {YEAR}." in page


@pytest.mark.parametrize(("prefix", "example"), [("", "130 921,5"), ("/en", "130 921.5")])
def test_the_value_field_tells_how_to_write_a_number_in_the_pages_language(
    editor: Client, prefix: str, example: str
) -> None:
    page = html.unescape(editor.get(f"{prefix}/data/enter/").content.decode())
    assert example in page


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_indicator_is_chosen_by_its_name_in_the_pages_language(
    editor: Client, prefix: str
) -> None:
    response = editor.get(f"{prefix}/data/enter/")
    choices = dict(response.context["form"].fields["indicator"].choices)
    assert choices[POPULATION] == f"{POPULATION_NAME[prefix]} ({POPULATION})"
    assert f'<option value="{POPULATION}">' in response.content.decode()


def test_an_indicator_not_in_the_list_is_refused_on_the_field(editor: Client) -> None:
    before = stored()
    response = editor.post(
        "/data/enter/",
        {"place": HOME, "indicator": "no-such", "year": YEAR, "value": "1", "source": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["indicator"]
    assert stored() == before
