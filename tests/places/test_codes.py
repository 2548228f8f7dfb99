"""Municipality numbers across the 2020 and 2024 reforms."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sdgnet.places.codes import (
    CodeHistoryEntry,
    CodeMapper,
    normalise_municipality_code,
    read_code_history,
)

DEFAULT_DATA = Path(__file__).parents[2] / "src" / "sdgnet" / "defaultdata"

# Real rows of the history (niphr/csdata), chains resolved to 2024 numbers.
ENTRIES = [
    CodeHistoryEntry("0219", "Bærum", 1838, 2019, "3201", 1.0),
    CodeHistoryEntry("3024", "Bærum", 2020, 2023, "3201", 1.0),
    CodeHistoryEntry("3201", "Bærum", 2023, None, "3201", 1.0),
    CodeHistoryEntry("0220", "Asker", 1838, 2019, "3203", 1.0),
    CodeHistoryEntry("0627", "Røyken", 1838, 2019, "3203", 1.0),
    CodeHistoryEntry("0628", "Hurum", 1838, 2019, "3203", 1.0),
    CodeHistoryEntry("3025", "Asker", 2020, 2023, "3203", 1.0),
    CodeHistoryEntry("1507", "Ålesund", 2020, 2023, "1508", 0.5),
    CodeHistoryEntry("1507", "Ålesund", 2020, 2023, "1580", 0.5),
]
CURRENT = {"0301": "Oslo", "3201": "Bærum", "3203": "Asker", "1508": "Ålesund", "1580": "Haram"}


@pytest.fixture
def mapper() -> CodeMapper:
    return CodeMapper(ENTRIES, CURRENT)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("K-3201", "3201"),
        ("3201", "3201"),
        ("K-0219", "0219"),
        ("301", "0301"),
        (" 0301 ", "0301"),
        ("0301 Oslo", "0301"),
        ("municip_nor0219", "0219"),
        ("k-0301", "0301"),
        ("30", None),
        ("12345", None),
        ("Oslo", None),
        ("", None),
        ("=cmd|' /C calc'!A0", None),
    ],
)
def test_normalise_municipality_code(written: str, expected: str | None) -> None:
    assert normalise_municipality_code(written) == expected


def test_old_numbers_map_to_2024_numbers_for_their_years(mapper: CodeMapper) -> None:
    assert mapper.resolve("K-0219", 2019) == [("3201", 1.0)]
    assert mapper.resolve("3024", 2021) == [("3201", 1.0)]
    assert mapper.resolve("0627", 2015) == [("3203", 1.0)]
    assert mapper.resolve("1507", 2022) == [("1508", 0.5), ("1580", 0.5)]


def test_current_number_maps_to_itself_in_any_year(mapper: CodeMapper) -> None:
    assert mapper.resolve("301", 1990) == [("0301", 1.0)]
    assert mapper.resolve("3201", 2010) == [("3201", 1.0)]


def test_unknown_number_gives_nothing(mapper: CodeMapper) -> None:
    assert mapper.resolve("9999", 2020) == []
    assert mapper.resolve("Oslo", 2020) == []


def test_number_outside_its_years_uses_the_nearest_period(mapper: CodeMapper) -> None:
    # A source that kept the 2020 number for its older years still lands on Bærum.
    assert mapper.resolve("3024", 2015) == [("3201", 1.0)]


def test_year_decides_between_reused_numbers() -> None:
    entries = [
        CodeHistoryEntry("1234", "Old place", 1900, 1960, "0301", 1.0),
        CodeHistoryEntry("1234", "Later place", 1961, 2019, "3201", 1.0),
    ]
    reused = CodeMapper(entries, ["0301", "3201"])
    assert reused.resolve("1234", 1950) == [("0301", 1.0)]
    assert reused.resolve("1234", 2000) == [("3201", 1.0)]
    assert reused.resolve("1234", 2022) == [("3201", 1.0)]


def test_predecessors_and_in_use(mapper: CodeMapper) -> None:
    assert {entry.old_code for entry in mapper.predecessors("3203", 2019)} == {
        "0220",
        "0627",
        "0628",
    }
    assert [entry.old_code for entry in mapper.predecessors("3203", 2021)] == ["3025"]
    assert mapper.in_use("0219", 2019)
    assert not mapper.in_use("0219", 2021)
    assert not mapper.in_use("3201", 2015)  # Bærum was 0219 then
    assert mapper.in_use("3201", 2024)
    assert mapper.in_use("0301", 1990)


def test_names_follow_the_year(mapper: CodeMapper) -> None:
    assert mapper.name("0627", 2019) == "Røyken"
    assert mapper.name("3203") == "Asker"
    assert mapper.name("9999") == ""


def test_committed_code_history_reaches_only_2024_municipalities() -> None:
    history = DEFAULT_DATA / "code_history.csv"
    municipalities = DEFAULT_DATA / "municipalities.csv"
    if not history.exists() or not municipalities.exists():
        pytest.skip("the default dataset is not built")
    entries = read_code_history(history)
    with municipalities.open(encoding="utf-8") as handle:
        current = {row["code"] for row in csv.DictReader(handle)}
    assert len(current) == 357
    assert {entry.new_code for entry in entries} <= current
    real = CodeMapper(entries, current)
    assert real.resolve("0219", 2019) == [("3201", 1.0)]
    assert real.resolve("K-3024", 2021) == [("3201", 1.0)]
    assert {entry.old_code for entry in real.predecessors("3203", 2019)} == {
        "0220",
        "0627",
        "0628",
    }
    assert sorted(real.resolve("1507", 2021)) == [("1508", 0.5), ("1580", 0.5)]
    for code in current:
        assert real.resolve(code, 2024) == [(code, 1.0)], code
