"""The importer's problems, notes and column labels in the page's language: bokmål on
`/data/…`, English on `/en/data/…`; the API's in the request's; `sdgnet import`'s in
bokmål unless --language en. Real users, the real views and the real importer."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role
from sdgnet.observations.models import Observation
from sdgnet.observations.readers import Problem

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
HOME = "3201"  # Bærum
OTHER = "3203"  # Asker

BAD = (
    "place,indicator,year,value\n"
    f"9999,{TURNOUT},2025,90\n"
    f"{HOME},no-such,2025,1\n"
    f"{HOME},{TURNOUT},20x5,1\n"
    f"{HOME},{TURNOUT},2025,abc\n"
)
# Line 3 repeats line 2; line 4 is another municipality's.
DUPLICATE_AND_OTHERS = (
    "place,indicator,year,value\n"
    f"{HOME},{TURNOUT},2025,90\n"
    f"{HOME},{TURNOUT},2025,91\n"
    f"{OTHER},{TURNOUT},2025,80\n"
)

BAD_IN_BOKMAAL = [
    "4 problemer; ingenting blir lagret",
    "ukjent kommunenummer '9999'",
    "ukjent indikator 'no-such'",
    "året '20x5' er ikke et helt årstall",
    "verdien 'abc' er ikke et tall",
]
BAD_IN_ENGLISH = [
    "4 problems; nothing will be written",
    "unknown municipality '9999'",
    "unknown indicator 'no-such'",
    "year '20x5' is not a whole year",
    "value 'abc' is not a number",
]


def upload(client: Client, prefix: str, text: str, *, name: str = "data.csv") -> str:
    file = SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")
    response = client.post(f"{prefix}/data/upload/", {"file": file, "source": "Bærum kommune"})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def problem_cells(page: str) -> list[list[str]]:
    """The preview's problem table as (line, column, problem) rows of text."""
    body = page.split('<div class="problems"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    return [list(row) for row in rows]


def test_the_bokmaal_preview_shows_the_problems_in_bokmaal(editor: Client) -> None:
    page = upload(editor, "", BAD)
    for text in BAD_IN_BOKMAAL:
        assert text in page
    for text in BAD_IN_ENGLISH:
        assert text not in page
    # The column is shown as a person reads it, not as its code.
    assert [cells[:2] for cells in problem_cells(page)] == [
        ["2", "kommunenummer"],
        ["3", "indikator"],
        ["4", "år"],
        ["5", "verdi"],
    ]


def test_the_english_preview_shows_the_problems_in_english(editor: Client) -> None:
    page = upload(editor, "/en", BAD)
    for text in BAD_IN_ENGLISH:
        assert text in page
    for text in BAD_IN_BOKMAAL:
        assert text not in page
    assert [cells[:2] for cells in problem_cells(page)] == [
        ["2", "place"],
        ["3", "indicator"],
        ["4", "year"],
        ["5", "value"],
    ]


def test_duplicates_and_other_municipalities_in_both_languages(editor: Client) -> None:
    page = upload(editor, "", DUPLICATE_AND_OTHERS)
    assert f"duplikat: {HOME} Bærum, {TURNOUT}, 2025 står på linjene 2, 3" in page
    assert f"du kan ikke legge inn data for kommune {OTHER} (du legger inn for {HOME})" in page
    page = upload(editor, "/en", DUPLICATE_AND_OTHERS)
    assert f"duplicate: {HOME} Bærum, {TURNOUT}, 2025 appears on lines 2, 3" in page
    assert f"municipality {OTHER} is not yours to write (you write for {HOME})" in page


def test_the_notes_follow_the_page(editor: Client) -> None:
    text = f"place;indicator;year;value;navn\n{HOME};{TURNOUT};2025;77,5;Bærum\n"
    page = upload(editor, "", text)
    assert "fila er ikke UTF-8; den ble lest som Windows-1252" in page
    assert "kolonner som ikke blir importert: 'navn'" in page
    page = upload(editor, "/en", text)
    assert "the file is not UTF-8; it was read as Windows-1252" in page
    assert "columns not imported: 'navn'" in page


def test_a_share_above_100_is_refused_in_the_pages_language(editor: Client) -> None:
    text = f"place;indicator;year;value\n{HOME};{TURNOUT};2025;250\n{HOME};{TURNOUT};2021;77,5\n"
    range_nb = f"verdien '250' er utenfor 0–100, som er området for {TURNOUT} (en andel i prosent)"
    assert problem_cells(upload(editor, "", text)) == [["2", "verdi", range_nb]]
    range_en = f"value '250' is outside 0–100, the range of {TURNOUT} (a share in percent)"
    assert problem_cells(upload(editor, "/en", text)) == [["2", "value", range_en]]


def test_an_ambiguous_number_is_refused_in_the_pages_language(editor: Client) -> None:
    text = f"place;indicator;year;value\n{HOME};{TURNOUT};2025;77,5\n{HOME};{TURNOUT};2021;80.125\n"
    ambiguous_nb = (
        "verdien '80.125' er tvetydig: punktumet kan skille tusener (80 125) eller være "
        "desimaltegn, og fila skriver desimaler med komma (linje 2: '77,5'), og ingen verdi "
        "viser punktum som tusenskille; skriv 80 125, eller 80,125 hvis det er et desimaltall"
    )
    assert problem_cells(upload(editor, "", text)) == [["3", "verdi", ambiguous_nb]]
    ambiguous_en = (
        "value '80.125' is ambiguous: the point may group thousands (80 125) or mark decimals, "
        "and the file writes decimals with a comma (line 2: '77,5') and no value shows a point "
        "grouping thousands; write 80 125, or 80,125 if it is a decimal"
    )
    assert problem_cells(upload(editor, "/en", text)) == [["3", "value", ambiguous_en]]


def test_a_repeated_comma_against_the_files_decimal_comma_is_refused_saying_why(
    editor: Client,
) -> None:
    text = (
        f"place;indicator;year;value\n{HOME};{TURNOUT};2025;77,5\n{HOME};{TURNOUT};2021;1,234,567\n"
    )
    refused_nb = (
        "verdien '1,234,567' er tvetydig: kommaene skiller tusener (1 234 567), men fila "
        "skriver desimaler med komma (linje 2: '77,5'); skriv 1 234 567"
    )
    assert problem_cells(upload(editor, "", text)) == [["3", "verdi", refused_nb]]
    refused_en = (
        "value '1,234,567' is ambiguous: its commas group thousands (1 234 567), but the file "
        "writes decimals with a comma (line 2: '77,5'); write 1 234 567"
    )
    assert problem_cells(upload(editor, "/en", text)) == [["3", "value", refused_en]]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", f"du kan ikke legge inn data for kommune {OTHER}"),
        ("/en", f"municipality {OTHER} is not yours to write"),
    ],
)
def test_a_single_value_is_refused_in_the_pages_language(
    editor: Client, prefix: str, expected: str
) -> None:
    response = editor.post(
        f"{prefix}/data/enter/",
        {"place": OTHER, "indicator": TURNOUT, "year": 2025, "value": "1", "source": "x"},
    )
    assert response.status_code == 200
    assert expected in html.unescape(response.content.decode())
    assert not Observation.objects.filter(place_id=OTHER, year=2025, value=1).exists()


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, f"du kan ikke legge inn data for kommune {OTHER} (du legger inn for {HOME})"),
        (
            {"HTTP_ACCEPT_LANGUAGE": "en"},
            f"municipality {OTHER} is not yours to write (you write for {HOME})",
        ),
        (
            {"HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9"},
            f"du kan ikke legge inn data for kommune {OTHER} (du legger inn for {HOME})",
        ),
    ],
)
def test_the_api_answers_in_the_requests_language_with_the_same_codes(
    headers: dict[str, str], message: str
) -> None:
    user = do_create_user("api-editor@example.no", Role.EDITOR, place=HOME)
    secret = do_create_api_token(user).secret
    rows = [
        {"place": HOME, "indicator": TURNOUT, "year": 2025, "value": 1.0},
        {"place": OTHER, "indicator": TURNOUT, "year": 2025, "value": 2.0},
    ]
    response = Client().post(
        "/api/v1/observations",
        json.dumps(rows),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        **headers,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    # index and field are machine-readable: the same in every language.
    assert [(p["index"], p["field"], p["message"]) for p in error["problems"]] == [
        (1, "place", message)
    ]


def run_import(path: Path, *options: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), "--dry-run", *options, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
    return out.getvalue(), err.getvalue()


def test_sdgnet_import_reports_in_bokmaal_unless_asked_for_english(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    # The test's own English does not leak into the command: its default is bokmål.
    with translation.override("en"):
        _out, err = run_import(path)
    assert "bad.csv: linje 2, kolonne kommunenummer: ukjent kommunenummer '9999'" in err
    assert "bad.csv: linje 4, kolonne år: året '20x5' er ikke et helt årstall" in err
    assert "bad.csv ble avvist: 4 problemer; ingenting ble lagret." in err
    _out, err = run_import(path, "--language", "en")
    assert "bad.csv: line 2, column place: unknown municipality '9999'" in err
    assert "bad.csv was refused: 4 problems; nothing was written." in err

    good = tmp_path / "good.csv"
    good.write_text(f"place,indicator,year,value\n{HOME},{TURNOUT},2026,77.5\n", encoding="utf-8")
    out, _err = run_import(good)
    assert "good.csv (csv-long): 1 gyldig rad; ville lagret nye: 1, endrede: 0" in out
    assert "Prøvekjøring: ingenting ble lagret." in out
    out, _err = run_import(good, "--language", "en")
    assert "good.csv (csv-long): 1 row valid; would write 1 new" in out


def test_a_column_label_is_translated_and_an_unknown_code_kept() -> None:
    with translation.override("nb"):
        assert Problem(2, "value", "x").column_label == "verdi"
        assert Problem(2, "ContentsCode", "x").column_label == "ContentsCode"
        assert str(Problem(2, "year", "feil")) == "linje 2, kolonne 'år': feil"
    assert Problem(2, "value", "x").column_label == "value"  # English, as conftest pins
    assert Problem(None, None, "x").column_label == ""
