"""The upload's preview shows values as they will be stored: the cell as written beside the
number read from it, in the page's language, and every value whose point or comma the rest
of the file settled. The confirmation writes those very rows. Real users, the real
importer and the real database, through the Django test client."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.catalog.models import Indicator
from sdgnet.observations.models import Observation

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
TURNOUT = "voter-turnout-storting"
NBSP = "\u00a0"  # Babel's bokmål thousands separator


def preview(client: Client, text: str, *, language: str = "nb", **fields: str) -> Any:
    prefix = "" if language == "nb" else f"/{language}"
    return client.post(
        f"{prefix}/data/upload/",
        {"file": SimpleUploadedFile("data.csv", text.encode()), "source": "SSB", **fields},
    )


def sample_rows(response: Any) -> list[list[str]]:
    """The sample table's body rows, each as its cells' text."""
    page = response.content.decode()
    start = page.index('aria-labelledby="sample-heading"')
    table = page[start : page.index("</table>", start)]
    body = table[table.index("<tbody>") :]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


SEMICOLONS = (
    "kommune;indikator;år;verdi\n"
    f"{HOME};population;2023;1.234,5\n"
    f"{HOME};{TURNOUT};2021;4,79\n"
    f"{HOME};population;2024;..\n"
)


def test_the_preview_shows_each_value_as_written_and_as_read_in_bokmaal(editor: Client) -> None:
    response = preview(editor, SEMICOLONS)
    assert response.context["report"].ok, response.context["report"].problems
    assert sample_rows(response) == [
        ["2", "3201 Bærum", "population", "2023", "1.234,5", f"1{NBSP}234,5", ""],
        ["3", "3201 Bærum", TURNOUT, "2021", "4,79", "4,79", ""],
        ["4", "3201 Bærum", "population", "2024", "..", "mangler", ""],
    ]
    page = response.content.decode()
    assert "Verdier slik de blir lagret" in page
    assert "Alle 3 radene slik de blir lagret." in page


def test_the_preview_shows_each_value_as_read_in_english(editor: Client) -> None:
    response = preview(editor, SEMICOLONS, language="en")
    assert sample_rows(response) == [
        ["2", "3201 Bærum", "population", "2023", "1.234,5", "1,234.5", ""],
        ["3", "3201 Bærum", TURNOUT, "2021", "4,79", "4.79", ""],
        ["4", "3201 Bærum", "population", "2024", "..", "missing", ""],
    ]
    assert "All 3 rows as they will be stored." in response.content.decode()


def population_file(values: dict[int, str]) -> str:
    """A ';' file of Bærum's population, one line per year, in the order given."""
    return "kommune;indikator;år;verdi\n" + "".join(
        f"{HOME};population;{year};{value}\n" for year, value in values.items()
    )


def test_a_value_read_as_thousands_is_listed_with_its_line_beyond_the_first_rows(
    editor: Client,
) -> None:
    # Line 2 groups thousands with a point and writes decimals with a comma, so line 14's
    # 130.921 is 130 921; it comes after the first ten rows and is listed all the same.
    values = {2000: "1.234,5"} | {2000 + n: str(100_000 + n) for n in range(1, 12)}
    values[2020] = "130.921"
    response = preview(editor, population_file(values), language="en")
    assert response.context["report"].ok, response.context["report"].problems
    rows = sample_rows(response)
    assert [row[0] for row in rows] == [str(line) for line in range(2, 12)] + ["14"]
    assert rows[-1] == [
        "14",
        "3201 Bærum",
        "population",
        "2020",
        "130.921",
        "130,921",
        "thousands, as the file groups them",
    ]
    page = response.content.decode()
    assert "The first 10 of 13 rows as they will be stored" in page
    assert "more value" not in page  # every such row is shown


def test_rows_read_by_the_file_beyond_the_cap_are_counted_not_listed(editor: Client) -> None:
    values = {1950: "1.234,5"} | {1950 + n: f"130.{n:03d}" for n in range(1, 41)}
    response = preview(editor, population_file(values))
    rows = sample_rows(response)
    assert len(rows) == 30  # the first ten, then twenty more read as thousands
    assert rows[10][4:] == ["130.010", f"130{NBSP}010", "tusener, slik fila grupperer dem"]
    assert rows[-1][4] == "130.029"
    assert "og 11 verdier til lest som tusener på samme måte, ikke vist" in (
        response.content.decode()
    )


def test_a_decimal_settled_by_the_file_is_listed(editor: Client) -> None:
    # A ',' file writing decimals with a point: 130.921 is a decimal, as the file says.
    lines = "".join(f"{HOME},{TURNOUT},{1990 + n},50.5\n" for n in range(12))
    text = f"place,indicator,year,value\n{lines}{HOME},{TURNOUT},2020,30.921\n"
    rows = sample_rows(preview(editor, text, language="en"))
    assert rows[-1][0] == "14"
    assert rows[-1][4:] == ["30.921", "30.921", "a decimal, as the file writes decimals"]


def test_the_confirmation_stores_the_values_the_preview_showed(editor: Client) -> None:
    values = {2000: "1.234,5", 2001: "4,79", 2002: "130.921", 2003: "1.234.567", 2024: ".."}
    response = preview(editor, population_file(values), language="en")
    shown = {int(row[3]): row[5] for row in sample_rows(response)}
    assert shown == {
        2000: "1,234.5",
        2001: "4.79",
        2002: "130,921",
        2003: "1,234,567",
        2024: "missing",
    }
    confirmed = editor.post("/en/data/upload/confirm/", {"upload": response.context["upload"]})
    assert confirmed.status_code == 302
    stored = dict(
        Observation.objects.filter(
            place_id=HOME, indicator_id="population", year__in=values
        ).values_list("year", "value")
    )
    assert stored == {2000: 1234.5, 2001: 4.79, 2002: 130921.0, 2003: 1234567.0, 2024: None}


def test_the_upload_keeps_only_the_checked_rows_and_only_until_the_confirmation(
    editor: Client,
) -> None:
    uploads = Path(settings.DATA_DIR) / "uploads"
    # The data folder outlives a test run (files older versions kept may still be there):
    # what counts is what this preview leaves behind.
    before = set(uploads.glob("*")) if uploads.exists() else set()
    refused = preview(editor, population_file({2000: "abc"}))
    assert refused.context["upload"] is None
    assert set(uploads.glob("*")) <= before  # a refused file is not kept
    response = preview(editor, population_file({2000: "1.234,5"}))
    key = response.context["upload"]
    # The file was read once; what the confirmation writes is kept, not the file.
    assert [path.name for path in uploads.glob(f"{key}*")] == [f"{key}.json"]
    editor.post("/data/upload/confirm/", {"upload": key})
    assert not any(uploads.glob(f"{key}*"))
    assert editor.post("/data/upload/confirm/", {"upload": key}).status_code == 404


def test_a_preview_left_unconfirmed_for_a_day_is_removed_by_the_next_upload(
    editor: Client,
) -> None:
    import os
    import time

    from sdgnet.observations.uploads import KEEP_SECONDS

    old = preview(editor, population_file({2000: "1,5"})).context["upload"]
    recent = preview(editor, population_file({2001: "2,5"})).context["upload"]
    uploads = Path(settings.DATA_DIR) / "uploads"
    long_ago = time.time() - KEEP_SECONDS - 60
    os.utime(uploads / f"{old}.json", (long_ago, long_ago))
    preview(editor, population_file({2002: "3,5"}))
    assert not (uploads / f"{old}.json").exists()
    assert (uploads / f"{recent}.json").exists()
    # Its confirmation finds nothing to write, as for a preview already used.
    assert editor.post("/data/upload/confirm/", {"upload": old}).status_code == 404
    assert editor.post("/data/upload/confirm/", {"upload": recent}).status_code == 302


def test_an_indicator_gone_since_the_preview_is_a_problem_and_nothing_is_written(
    editor: Client,
) -> None:
    Indicator.objects.create(
        key="test-count", name_nb="Test", name_en="Test", unit="persons", measure="count"
    )
    response = preview(
        editor, f"kommune;indikator;år;verdi\n{HOME};test-count;2020;12\n", language="en"
    )
    assert response.context["report"].ok, response.context["report"].problems
    Indicator.objects.filter(key="test-count").delete()
    confirmed = editor.post("/en/data/upload/confirm/", {"upload": response.context["upload"]})
    assert confirmed.status_code == 200
    assert [problem.message for problem in confirmed.context["report"].problems] == [
        "indicator test-count is no longer in the catalog; check the file again"
    ]
    assert not Observation.objects.filter(indicator_id="test-count").exists()


def test_a_summed_row_names_every_line_and_cell_it_sums() -> None:
    admin = do_create_user("admin@example.no", Role.NETWORK_ADMIN)
    client = Client()
    client.force_login(admin)
    # Asker (3203) was Asker, Røyken and Hurum in 2017: their populations are summed.
    text = (
        "kommune;indikator;år;verdi\n"
        "0220;population;2017;61.523\n"
        "0627;population;2017;1.234,5\n"
        "0628;population;2017;9.436\n"
    )
    response = preview(client, text, language="en")
    assert response.context["report"].ok, response.context["report"].problems
    assert sample_rows(response) == [
        [
            "2, 3, 4",
            "3203 Asker (from 0220, 0627, 0628)",
            "population",
            "2017",
            "61.523 + 1.234,5 + 9.436",
            "72,193.5",
            "thousands, as the file groups them",
        ]
    ]


OLD_NUMBERS = (
    "kommune;indikator;år;verdi\n"
    "0219;population;2017;120\n"  # Bærum before 2020
    "219;population;2018;121\n"  # the same, its zero eaten by a spreadsheet
    "3024;population;2021;122\n"  # Bærum in Viken, 2020-2023
    f"{HOME};population;2024;123\n"
)


@pytest.mark.parametrize(
    ("language", "word"), [("nb", "fra"), ("en", "from")], ids=["bokmaal", "english"]
)
def test_a_row_given_by_an_old_municipality_number_shows_it_beside_todays(
    editor: Client, language: str, word: str
) -> None:
    response = preview(editor, OLD_NUMBERS, language=language)
    assert response.context["report"].ok, response.context["report"].problems
    assert [row[1] for row in sample_rows(response)] == [
        f"3201 Bærum ({word} 0219)",
        f"3201 Bærum ({word} 0219)",
        f"3201 Bærum ({word} 3024)",
        "3201 Bærum",
    ]


def test_of_confirmations_racing_for_one_preview_only_one_gets_its_rows(editor: Client) -> None:
    """A double click, or two workers: the rows a preview kept are written at most once."""
    import threading

    from sdgnet.observations.uploads import take_checked

    key = preview(editor, population_file({2000: "1,5"})).context["upload"]
    kept = Path(settings.DATA_DIR) / "uploads" / f"{key}.json"
    racers = 8
    start = threading.Barrier(racers)
    taken: list[object] = []

    def confirm() -> None:
        start.wait()
        taken.append(take_checked(kept))

    threads = [threading.Thread(target=confirm) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in taken) == 1
    assert not any(kept.parent.glob(f"{key}*"))
