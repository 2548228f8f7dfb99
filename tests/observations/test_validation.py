"""Validating raw rows: every problem at once, old numbers mapped, merges and splits."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sdgnet.observations.readers import RawRow, read_observations
from sdgnet.observations.validation import (
    FileNumbers,
    IndicatorInfo,
    ValidationResult,
    ValidRow,
    parse_number,
    validate,
)
from sdgnet.places.codes import CodeHistoryEntry, CodeMapper

from .conftest import write_xlsx

FILES = Path(__file__).parent / "files"

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
    # Part of Snillfjord went to Orkland in 2020, beside three whole municipalities.
    CodeHistoryEntry("5012", "Snillfjord", 2018, 2019, "5059", 0.3),
    CodeHistoryEntry("5012", "Snillfjord", 2018, 2019, "5056", 0.35),
    CodeHistoryEntry("5016", "Agdenes", 2018, 2019, "5059", 1.0),
    CodeHistoryEntry("5023", "Meldal", 2018, 2019, "5059", 1.0),
    CodeHistoryEntry("5024", "Orkdal", 2018, 2019, "5059", 1.0),
]
CURRENT = {
    "0301": "Oslo",
    "1101": "Eigersund",
    "3201": "Bærum",
    "3203": "Asker",
    "1508": "Ålesund",
    "1580": "Haram",
    "5001": "Trondheim",
    "5056": "Hitra",
    "5059": "Orkland",
}
INDICATORS = {
    "population": IndicatorInfo("population", "persons", "count"),
    "votes": IndicatorInfo("votes", "votes", "count"),
    "turnout": IndicatorInfo("turnout", "%", "rate"),
    "share_80plus": IndicatorInfo("share_80plus", "%", "rate"),
    "3-b-1": IndicatorInfo("3-b-1", "percent", "rate"),
    "Personer1": IndicatorInfo("Personer1", "persons", "count"),
    "Andel80": IndicatorInfo("Andel80", "%", "rate"),
}


def check(
    rows: list[RawRow], default_indicator: str | None = None, **kwargs: object
) -> ValidationResult:
    return validate(
        rows,
        indicators=INDICATORS,
        mapper=CodeMapper(ENTRIES, CURRENT),
        current_places=set(CURRENT),
        default_indicator=default_indicator,
        **kwargs,  # type: ignore[arg-type]
    )


def messages(result: ValidationResult) -> list[tuple[int | None, str | None, str]]:
    return [(problem.line, problem.column, problem.message) for problem in result.problems]


def test_clean_long_file_becomes_rows() -> None:
    result = check(read_observations(FILES / "population_long.csv").rows)
    assert result.problems == []
    assert result.rows[1] == ValidRow("0301", "population", 2023, 709037.0, "provisional", (3,))
    assert result.mapped == 0


def test_norwegian_file_with_default_indicator_and_decimal_comma() -> None:
    raw = read_observations(FILES / "share_80plus_semicolon_cp1252.csv").rows
    result = check(raw, default_indicator="share_80plus")
    assert result.problems == []
    assert [(row.place, row.year, row.value) for row in result.rows] == [
        ("0301", 2023, 3.12),
        ("3201", 2023, 4.79),
        ("1101", 2023, 4.6),
        ("3201", 2022, 4.78),
    ]


def test_thousands_with_spaces_and_no_break_spaces() -> None:
    result = check(read_observations(FILES / "population_bom_nbsp.csv").rows, "population")
    assert [row.value for row in result.rows] == [697010.0, 128233.0, 14787.0]


def test_every_problem_is_reported_at_once_with_lines_and_columns() -> None:
    raw = [
        RawRow(2, "0301", "population", "2023", "709037"),
        RawRow(3, "9999", "population", "2023", "1"),
        RawRow(4, "0301", "no-such-thing", "2023", "1"),
        RawRow(5, "1101", "population", "2023", "15 011 people"),
        RawRow(6, "1101", "population", "20x3", "15011"),
        RawRow(7, "1101", "population", "1900", "15011"),
        RawRow(8, "1101", "share_80plus", "2023", "4,6", unit="kroner"),
        RawRow(9, "0301", "population", "2022", "nan"),
        RawRow(10, "0301", "population", "2021", "=1+1"),
        RawRow(11, '=HYPERLINK("x")', "population", "2021", "5"),
        RawRow(12, "0301", "population", "2020", "inf"),
    ]
    assert messages(check(raw)) == [
        (3, "place", "unknown municipality '9999'"),
        (4, "indicator", "unknown indicator 'no-such-thing'"),
        (5, "value", "value '15 011 people' is not a number"),
        (6, "year", "year '20x3' is not a whole year"),
        (7, "year", f"year 1900 is outside 1950–{_next_year()}"),
        (8, "unit", "unit 'kroner' differs from the unit of share_80plus ('%')"),
        (9, "value", "value 'nan' is not a finite number"),
        (10, "value", "'=1+1' is a formula, not a value (formulas are never evaluated)"),
        (11, "place", "unknown municipality '=HYPERLINK(\"x\")'"),
        (12, "value", "value 'inf' is not a finite number"),
    ]


def _next_year() -> int:
    return dt.date.today().year + 1


def test_injected_formula_file_is_refused_row_by_row() -> None:
    result = check(read_observations(FILES / "formulas.csv").rows)
    assert result.rows == []
    assert [(line, column) for line, column, _ in messages(result)] == [
        (2, "value"),
        (3, "place"),
        (4, "place"),
    ]


def test_unit_comparison_ignores_case_spacing_and_known_synonyms() -> None:
    raw = [
        RawRow(2, "0301", "share_80plus", "2023", "3,12", unit=" Prosent "),
        RawRow(3, "1101", "share_80plus", "2023", "4,6", unit="%"),
        RawRow(4, "3201", "population", "2023", "129874", unit="PERSONER"),
    ]
    assert check(raw).problems == []


def test_a_share_in_percent_outside_0_to_100_is_refused_naming_row_value_and_range() -> None:
    raw = [
        RawRow(2, "0301", "turnout", "2023", "250"),
        RawRow(3, "1101", "turnout", "2023", "-0,5"),
        RawRow(4, "3201", "turnout", "2023", "100"),
        RawRow(5, "3203", "turnout", "2023", "0"),
        RawRow(6, "5001", "3-b-1", "2023", "100,1"),  # unit "percent"
        RawRow(7, "0301", "population", "2023", "250"),  # persons: no range
    ]
    result = check(raw)
    assert messages(result) == [
        (2, "value", "value '250' is outside 0–100, the range of turnout (a share in percent)"),
        (3, "value", "value '-0,5' is outside 0–100, the range of turnout (a share in percent)"),
        (6, "value", "value '100,1' is outside 0–100, the range of 3-b-1 (a share in percent)"),
    ]
    assert [row.lines for row in result.rows] == [(4,), (5,), (7,)]


def test_a_percent_the_catalog_lets_pass_100_and_a_percent_change_have_no_range() -> None:
    indicators = {
        # A framework bound above 100: the catalog says such values are real.
        "coverage": IndicatorInfo("coverage", "%", "rate", bounds=(104.0, 80.0)),
        "growth": IndicatorInfo("growth", "prosentendring", "rate"),
        "gap": IndicatorInfo("gap", "percentage points", "rate"),
        "share": IndicatorInfo("share", "prosent", "rate", bounds=(100.0, 0.0)),
    }
    raw = [
        RawRow(2, "0301", "coverage", "2023", "101,5"),
        RawRow(3, "0301", "growth", "2023", "250"),
        RawRow(4, "0301", "growth", "2022", "-40", unit="% change"),
        RawRow(5, "0301", "gap", "2023", "-120"),
        RawRow(6, "0301", "share", "2023", "100,5"),
    ]
    result = validate(
        raw,
        indicators=indicators,
        mapper=CodeMapper(ENTRIES, CURRENT),
        current_places=set(CURRENT),
        default_indicator=None,
    )
    assert messages(result) == [
        (6, "value", "value '100,5' is outside 0–100, the range of share (a share in percent)")
    ]
    assert IndicatorInfo("x", "persons", "count").value_range is None
    assert IndicatorInfo("x", " Pst. ", "rate").value_range == (0.0, 100.0)


def test_missing_markers_are_recorded_as_missing_with_the_marker_as_flag() -> None:
    raw = [
        RawRow(2, "0301", "population", "2019", ".."),
        RawRow(3, "0301", "population", "2020", ":"),
        RawRow(4, "0301", "population", "2021", "-"),
        RawRow(5, "0301", "population", "2022", ""),
        RawRow(6, "0301", "population", "2023", "..", flags="confidential"),
    ]
    result = check(raw)
    assert result.problems == []
    assert [(row.value, row.flags) for row in result.rows] == [
        (None, ".."),
        (None, ":"),
        (None, "-"),
        (None, ""),
        (None, "confidential"),
    ]


def test_duplicate_key_names_both_lines() -> None:
    raw = [
        RawRow(2, "0301", "population", "2023", "709037"),
        RawRow(3, "1101", "population", "2023", "15011"),
        RawRow(4, "301", "population", "2023", "709037"),
    ]
    result = check(raw)
    assert messages(result) == [
        (
            4,
            "place",
            "duplicate: 0301 Oslo, population, 2023 appears on lines 2, 4 (0301 Oslo, 0301 Oslo)",
        ),
    ]


def test_old_number_and_new_number_for_the_same_year_are_duplicates() -> None:
    raw = [
        RawRow(2, "K-0219", "population", "2019", "126841"),
        RawRow(3, "K-3201", "population", "2019", "126841"),
    ]
    assert messages(check(raw)) == [
        (
            3,
            "place",
            "duplicate: 3201 Bærum, population, 2019 appears on lines 2, 3 (0219 "
            "Bærum, 3201 Bærum)",
        ),
    ]


def test_renumbered_municipality_keeps_its_value_for_any_measure() -> None:
    raw = [
        RawRow(2, "0219", "turnout", "2017", "85,1"),
        RawRow(3, "3024", "votes", "2021", "72690"),
        RawRow(4, "K-3025", "turnout", "2021", "81,7"),
    ]
    result = check(raw)
    assert result.problems == []
    assert result.rows == [
        ValidRow("3201", "turnout", 2017, 85.1, "", (2,)),
        ValidRow("3201", "votes", 2021, 72690.0, "", (3,)),
        ValidRow("3203", "turnout", 2021, 81.7, "", (4,)),
    ]
    assert result.mapped == 3


def test_merged_counts_are_summed_and_rates_refused_naming_all_lines() -> None:
    result = check(read_observations(FILES / "turnout_votes_old_codes.csv").rows)
    assert ValidRow("3203", "votes", 2017, 34577 + 12174 + 5467, "", (3, 4, 5)) in result.rows
    assert ValidRow("3201", "votes", 2017, 70877.0, "", (2,)) in result.rows
    assert messages(result) == [
        (
            7,
            "place",
            "rates and shares cannot be summed: lines 7, 8, 9 (0220 Asker, 0627 Røyken, "
            "0628 Hurum) map to 3203 Asker, which in 2017 was 3 municipalities",
        )
    ]
    assert result.merged == 1


def test_merge_with_a_missing_predecessor_names_it() -> None:
    raw = [
        RawRow(12, "0220", "votes", "2017", "34577"),
        RawRow(40, "0627", "votes", "2017", "12174"),
    ]
    assert messages(check(raw)) == [
        (
            12,
            "place",
            "cannot sum lines 12, 40 (0220 Asker, 0627 Røyken) into 3203 Asker "
            "for 2017: missing 0628 Hurum",
        ),
    ]


def test_a_single_part_of_a_merger_is_not_the_whole() -> None:
    raw = [RawRow(5, "0627", "turnout", "2017", "81,8")]
    assert messages(check(raw)) == [
        (
            5,
            "place",
            "rates and shares cannot be summed: line 5 (0627 Røyken) maps to "
            "3203 Asker, which in 2017 was 3 municipalities",
        ),
    ]


def test_split_municipality_is_refused_naming_the_row() -> None:
    raw = [RawRow(8, "1507", "population", "2021", "66258")]
    assert messages(check(raw)) == [
        (
            8,
            "place",
            "municipality 1507 Ålesund (as in 2021) was split (into 1508 Ålesund, "
            "1580 Haram); its value cannot be divided between them",
        ),
    ]


def test_merge_that_received_part_of_a_split_is_refused() -> None:
    raw = [
        RawRow(2, "5016", "population", "2019", "1700"),
        RawRow(3, "5023", "population", "2019", "3900"),
        RawRow(4, "5024", "population", "2019", "12000"),
    ]
    (problem,) = check(raw).problems
    assert "missing 5012 Snillfjord" in problem.message


def test_merged_count_with_a_missing_part_is_missing() -> None:
    raw = [
        RawRow(2, "0220", "votes", "2017", "34577"),
        RawRow(3, "0627", "votes", "2017", "..", flags=".."),
        RawRow(4, "0628", "votes", "2017", "5467", flags="provisional"),
    ]
    (row,) = check(raw).rows
    assert row.value is None
    assert row.flags == "..,provisional"


def test_json_stat_from_ssb_maps_old_numbers_and_drops_empty_cells() -> None:
    result = check(read_observations(FILES / "ssb_07459_list.json").rows)
    assert result.problems == []
    assert sorted((row.place, row.year, row.value, row.lines) for row in result.rows) == [
        ("0301", 2019, 681071.0, (5,)),
        ("0301", 2020, 693494.0, (6,)),
        ("3201", 2019, 126841.0, (3,)),
        ("3201", 2020, 127731.0, (2,)),
    ]
    assert result.dropped == 2  # K-3201 in 2019 and K-0219 in 2020 did not exist
    assert result.mapped == 1


def test_json_stat_sparse_with_two_contents_validates_units() -> None:
    result = check(read_observations(FILES / "ssb_sparse_two_contents.json").rows)
    assert result.problems == []
    assert ValidRow("0301", "Andel80", 2019, 3.08, "p", (3,)) in result.rows
    assert len(result.rows) == 6


def test_open_sdg_file_validates_and_maps_old_numbers() -> None:
    result = check(read_observations(FILES / "indicator_3-b-1.csv").rows)
    assert result.problems == []
    assert ValidRow("3201", "3-b-1", 2018, 96.7, "", (8,)) in result.rows
    assert len(result.rows) == 5


def test_rows_without_any_indicator_are_reported_once() -> None:
    raw = read_observations(FILES / "population_wide.csv").rows
    result = check(raw)
    assert result.rows == []
    assert messages(result) == [
        (
            2,
            "indicator",
            "8 values (lines 2, 3, 4) name no indicator and no indicator was given for the file",
        ),
    ]


def test_year_range_is_configurable() -> None:
    raw = [RawRow(2, "0301", "population", "2005", "529846")]
    result = check(raw, year_range=(2010, 2024))
    assert messages(result) == [(2, "year", "year 2005 is outside 2010–2024")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("-3,25", -3.25),
        ("\u22123,5", -3.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234\u00a0567", 1234567.0),
        ("1\u202f234,5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),  # a repeated comma can only group thousands
        ("1e3", 1000.0),
        (",5", 0.5),
        (" 42 ", 42.0),
        ("..", None),
        ("", None),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["12,5,6", "1.2.3", "12 %", "NaN", "-inf", "abc", "1_000", "1,2.3"]
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_number(text)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_decimal_comma_round_trips(number: object) -> None:
    written = f"{number:,.3f}".replace(",", " ").replace(".", ",")
    parsed = parse_number(written)
    assert parsed is not None
    assert math.isclose(parsed, float(str(number)), rel_tol=1e-12, abs_tol=1e-9)


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_python_float_text_round_trips(number: float) -> None:
    assert parse_number(repr(number)) == number


# Ambiguous numbers: one separator where thousands are grouped ("130.921", "1,234").


def check_file(
    tmp_path: Path, text: str, *, name: str = "data.csv", default_indicator: str = "population"
) -> ValidationResult:
    """A file read and validated as an import does it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    read = read_observations(path)
    assert read.problems == []
    return check(read.rows, default_indicator, file_numbers=FileNumbers(read.decimal_mark))


def values(result: ValidationResult) -> list[tuple[int, float | None]]:
    return [(row.lines[0], row.value) for row in result.rows]


def test_a_point_in_thousands_position_in_a_decimal_comma_file_is_refused(
    tmp_path: Path,
) -> None:
    result = check_file(tmp_path, "kommune;år;verdi\n0301;2023;4,79\n3201;2023;130.921\n")
    assert messages(result) == [
        (
            3,
            "value",
            "value '130.921' is ambiguous: the point may group thousands (130 921) or mark "
            "decimals, and the file writes decimals with a comma (line 2: '4,79') and no value "
            "shows a point grouping thousands; write 130 921, or 130,921 if it is a decimal",
        )
    ]
    assert str(result.problems[0]).startswith("line 3, column 'value': value '130.921'")
    assert values(result) == [(2, 4.79)]


def test_a_semicolon_file_implies_the_decimal_comma_when_no_value_shows_a_mark(
    tmp_path: Path,
) -> None:
    result = check_file(tmp_path, "kommune;år;verdi\n0301;2023;709.037\n1101;2023;188\n")
    assert [(line, column) for line, column, _message in messages(result)] == [(2, "value")]
    assert "the file is separated by semicolons" in result.problems[0].message
    assert values(result) == [(3, 188.0)]


@pytest.mark.parametrize(
    "proof",
    ["1.234,5", "1.234.567"],  # a point grouping thousands before a decimal comma, or twice
)
def test_a_column_that_groups_thousands_with_a_point_reads_them_so(
    tmp_path: Path, proof: str
) -> None:
    text = f"kommune;år;verdi\n0301;2023;709.037\n3201;2023;{proof}\n1101;2023;-14.787\n"
    result = check_file(tmp_path, text)
    assert result.problems == []
    assert values(result)[0] == (2, 709037.0)
    assert values(result)[2] == (4, -14787.0)
    assert result.notes == [
        "2 values were read as thousands, such as '709.037' on line 2 as 709 037, as the "
        f"file groups thousands on line 3 ('{proof}')"
    ]


def test_spaces_and_no_break_spaces_group_thousands_before_a_decimal_comma(
    tmp_path: Path,
) -> None:
    text = (
        "kommune;år;verdi\n0301;2023;130 921,5\n3201;2023;130\u00a0921,5\n"
        "1101;2023;130\u202f921,5\n5001;2023;1 130.921\n"
    )
    result = check_file(tmp_path, text)
    # "1 130.921" has four digits before the point: a decimal point, not a group.
    assert messages(result) == []
    assert values(result) == [(2, 130921.5), (3, 130921.5), (4, 130921.5), (5, 1130.921)]


def test_the_files_own_decimal_mark_reads_a_value_in_thousands_position_as_a_decimal(
    tmp_path: Path,
) -> None:
    point = check_file(tmp_path, "place,year,value\n0301,2023,130.921\n3201,2023,12.5\n")
    assert messages(point) == []
    assert values(point) == [(2, 130.921), (3, 12.5)]
    comma = check_file(tmp_path, "kommune;år;verdi\n0301;2023;4,790\n3201;2023;4,5\n")
    assert messages(comma) == []
    assert values(comma) == [(2, 4.79), (3, 4.5)]


def test_a_comma_in_thousands_position_in_a_decimal_point_file_is_refused(
    tmp_path: Path,
) -> None:
    result = check_file(tmp_path, 'place,year,value\n0301,2023,12.5\n3201,2023,"1,234"\n')
    assert messages(result) == [
        (
            3,
            "value",
            "value '1,234' is ambiguous: the comma may group thousands (1 234) or mark "
            "decimals, and the file writes decimals with a point (line 2: '12.5') and no value "
            "shows a comma grouping thousands; write 1 234, or 1.234 if it is a decimal",
        )
    ]


def test_a_file_with_both_decimal_marks_settles_nothing(tmp_path: Path) -> None:
    text = "kommune;år;verdi\n0301;2023;12,5\n3201;2023;12.5\n1101;2023;130.921\n"
    result = check_file(tmp_path, text)
    assert [(line, column) for line, column, _message in messages(result)] == [(4, "value")]
    assert (
        "the file writes decimals both with a comma (line 2: '12,5') and with a point "
        "(line 3: '12.5'); use one decimal mark in the whole file"
    ) in result.problems[0].message


def test_a_tab_file_without_a_decimal_mark_refuses_what_it_cannot_settle(
    tmp_path: Path,
) -> None:
    result = check_file(tmp_path, "kommune\tår\tverdi\n0301\t2023\t130.921\n")
    assert "nothing else in the file shows whether its decimal mark" in messages(result)[0][2]
    assert "write 130 921, or 130.9210 if it is a decimal" in messages(result)[0][2]


def test_a_settled_value_is_range_checked_and_a_wide_file_is_one_column(tmp_path: Path) -> None:
    text = (
        "kommune;indikator;2022;2023\n0301;share_80plus;4,5;100.000\n"
        "3201;population;1.234,5;130.921\n"
    )
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8")
    read = read_observations(path)
    result = check(read.rows, file_numbers=FileNumbers(read.decimal_mark))
    assert messages(result) == [
        (
            2,
            "value",
            "value '100.000' is outside 0–100, the range of share_80plus (a share in percent)",
        )
    ]
    assert [(row.indicator, row.year, row.value) for row in result.rows] == [
        ("share_80plus", 2022, 4.5),
        ("population", 2022, 1234.5),
        ("population", 2023, 130921.0),
    ]


# A repeated mark ("1.234.567", "1,234,567") can only group thousands: settled by the same
# rules, it is read so unless the file also writes decimals with that mark.


@pytest.mark.parametrize(
    ("text", "proof"),
    [
        ('place,year,value\n0301,2023,"1,234,567"\n3201,2023,"130,921"\n', "'1,234,567'"),
        ("kommune;år;verdi\n0301;2023;1,234,567\n3201;2023;130,921\n", "'1,234,567'"),
        ('place,year,value\n0301,2023,"1.234.567"\n3201,2023,"130.921"\n', "'1.234.567'"),
    ],
)
def test_a_repeated_mark_groups_thousands_and_settles_a_single_one_so(
    tmp_path: Path, text: str, proof: str
) -> None:
    # The format's decimal mark (',' for ';'-files, '.' for ','-files) yields to a value
    # that shows the mark grouping thousands: one file never reads a mark both ways.
    result = check_file(tmp_path, text)
    assert result.problems == []
    assert values(result) == [(2, 1234567.0), (3, 130921.0)]
    separator = proof[2]
    assert result.notes == [
        f"1 value was read as thousands: '130{separator}921' on line 3 as 130 921, as the "
        f"file groups thousands on line 2 ({proof})"
    ]


def test_a_repeated_comma_in_a_file_that_writes_decimals_with_a_comma_is_refused_saying_why(
    tmp_path: Path,
) -> None:
    text = "kommune;år;verdi\n0301;2023;4,79\n3201;2023;1,234,567\n1101;2023;-2,345,678\n"
    result = check_file(tmp_path, text)
    assert messages(result) == [
        (
            3,
            "value",
            "value '1,234,567' is ambiguous: its commas group thousands (1 234 567), but the "
            "file writes decimals with a comma (line 2: '4,79'); write 1 234 567",
        ),
        (
            4,
            "value",
            "value '-2,345,678' is ambiguous: its commas group thousands (-2 345 678), but the "
            "file writes decimals with a comma (line 2: '4,79'); write -2 345 678",
        ),
    ]
    assert values(result) == [(2, 4.79)]


def test_a_point_that_marks_decimals_and_groups_thousands_in_one_file_settles_nothing(
    tmp_path: Path,
) -> None:
    text = 'place,year,value\n0301,2023,12.5\n3201,2023,"1.234.567"\n1101,2023,130.921\n'
    result = check_file(tmp_path, text)
    assert messages(result) == [
        (
            3,
            "value",
            "value '1.234.567' is ambiguous: its points group thousands (1 234 567), but the "
            "file writes decimals with a point (line 2: '12.5'); write 1 234 567",
        ),
        (
            4,
            "value",
            "value '130.921' is ambiguous: the point may group thousands (130 921) or mark "
            "decimals, and the file uses the point both to mark decimals (line 2: '12.5') and "
            "to group thousands (line 3: '1.234.567'); write 130 921, or 130.9210 if it is a "
            "decimal",
        ),
    ]
    assert values(result) == [(2, 12.5)]


def test_a_repeated_mark_read_as_thousands_is_range_checked(tmp_path: Path) -> None:
    text = 'place,year,value\n0301,2023,4.5\n3201,2023,"1,234,567"\n'
    result = check_file(tmp_path, text, default_indicator="share_80plus")
    assert messages(result) == [
        (
            3,
            "value",
            "value '1,234,567' is outside 0–100, the range of share_80plus (a share in percent)",
        )
    ]


def test_rows_not_from_a_file_read_each_value_on_its_own() -> None:
    # The API's rows are JSON numbers written by Python: their point is a decimal point.
    raw = [
        RawRow(2, "0301", "population", "2023", "130.921"),
        RawRow(3, "3201", "population", "2023", "1,234"),
    ]
    assert values(check(raw)) == [(2, 130.921), (3, 1.234)]


def test_number_cells_are_never_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "numbers.xlsx"
    write_xlsx(path, [["kommune", "år", "verdi"], ["0301", 2023, 130.921], ["3201", 2023, "4,5"]])
    read = read_observations(path)
    assert [row.value for row in read.rows] == ["130.9210", "4,5"]
    result = check(read.rows, "population", file_numbers=FileNumbers(read.decimal_mark))
    assert values(result) == [(2, 130.921), (3, 4.5)]
    text = '{"class": "dataset", "id": ["Region", "Tid"], "size": [1, 1], "value": [130.921],'
    text += ' "dimension": {"Region": {"category": {"index": ["0301"]}},'
    text += ' "Tid": {"category": {"index": ["2023"]}}}}'
    json_path = tmp_path / "ssb.json"
    json_path.write_text(text, encoding="utf-8")
    read = read_observations(json_path, default_indicator="population")
    assert read.decimal_mark == "."
    assert [row.value for row in read.rows] == ["130.9210"]
