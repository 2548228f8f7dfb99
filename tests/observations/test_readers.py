"""Reading observation files: every format, Norwegian habits and hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdgnet.observations.readers import _COLUMNAR_MIN_CHARS, RawRow, read_observations

from .conftest import write_xlsx

FILES = Path(__file__).parent / "files"


def _triples(rows: list[RawRow]) -> list[tuple[str, str, str]]:
    return [(row.place, row.year, row.value) for row in rows]


def test_long_csv_keeps_text_as_written_with_units_flags_and_lines() -> None:
    result = read_observations(FILES / "population_long.csv")
    assert result.format == "csv-long"
    assert result.problems == []
    assert result.encoding == "utf-8"
    assert result.rows[1] == RawRow(
        3, "0301", "population", "2023", "709037", "persons", "provisional"
    )
    assert [row.line for row in result.rows] == [2, 3, 4, 5]
    assert result.rows[0].flags is None


def test_semicolon_decimal_comma_windows_1252() -> None:
    result = read_observations(FILES / "share_80plus_semicolon_cp1252.csv")
    assert result.problems == []
    assert result.encoding == "cp1252"
    assert result.delimiter == ";"
    assert any("Windows-1252" in note for note in result.notes)
    assert any("'navn'" in note for note in result.notes)  # the name column is not imported
    assert _triples(result.rows) == [
        ("0301", "2023", "3,12"),
        ("3201", "2023", "4,79"),
        ("1101", "2023", "4,6"),
        ("3201", "2022", "4,78"),
    ]
    assert all(row.indicator is None for row in result.rows)


def test_utf8_bom_and_norwegian_header_names_with_no_break_space() -> None:
    result = read_observations(FILES / "population_bom_nbsp.csv")
    assert result.problems == []
    assert result.encoding == "utf-8-sig"
    assert _triples(result.rows) == [
        ("0301", "2021", "697 010"),
        ("3201", "2021", "128\u00a0233"),
        ("1101", "2021", "14 787"),
    ]


def test_wide_csv_one_row_per_year_cell_and_blank_cells_skipped() -> None:
    result = read_observations(FILES / "population_wide.csv", default_indicator="population")
    assert result.format == "csv-wide"
    assert result.problems == []
    assert len(result.rows) == 8  # Eigersund 2021 is blank
    assert RawRow(3, "3201", None, "2020", "127731") in result.rows
    assert ("1101", "2021") not in {(row.place, row.year) for row in result.rows}


def test_wide_csv_with_indicator_column(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Kommune,Indikator,2020,2021\n0301,population,693494,697010\n")
    result = read_observations(path)
    assert result.format == "csv-wide"
    assert [(row.indicator, row.year, row.value) for row in result.rows] == [
        ("population", "2020", "693494"),
        ("population", "2021", "697010"),
    ]


def test_ragged_rows_are_named_and_trailing_separators_tolerated() -> None:
    result = read_observations(FILES / "ragged.csv")
    assert [(problem.line, problem.message) for problem in result.problems] == [
        (3, "the row has 3 fields but the header has 4"),
        (4, "the row has 5 fields but the header has 4"),
    ]
    assert [row.line for row in result.rows] == [2, 5]


def test_formula_cells_are_kept_as_plain_text() -> None:
    result = read_observations(FILES / "formulas.csv")
    assert result.problems == []
    assert result.rows[0].value == "=cmd|' /C calc'!A0"
    assert result.rows[1].place == '=HYPERLINK("http://example.com")'


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"  \n\n")
    result = read_observations(path)
    assert result.rows == []
    assert [problem.message for problem in result.problems] == ["the file is empty"]


def test_header_only_is_refused() -> None:
    result = read_observations(FILES / "header_only.csv")
    assert result.rows == []
    assert [problem.message for problem in result.problems] == [
        "the file has a header but no data rows"
    ]


def test_unrecognised_header_lists_what_it_found(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("foo,bar\n1,2\n")
    result = read_observations(path)
    assert result.rows == []
    assert "found 'foo', 'bar'" in result.problems[0].message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.csv", bytes(range(256)) * 40),
        ("garbage.json", b"\x00\x01\x02\x03binary\xff\xfe\x00" * 100),
        ("noise.txt", b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 200),
    ],
)
def test_binary_garbage_is_refused_clearly(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = read_observations(path)
    assert result.rows == []
    assert result.problems[0].message.startswith("not a text file")


def test_xlsx_name_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_text("place,indicator,year,value\n0301,population,2023,709037\n")
    result = read_observations(path)
    assert result.problems[0].message == "not a valid xlsx file (it is not a zip archive)"


def test_damaged_zip_is_refused_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    result = read_observations(path)
    assert result.rows == []
    assert result.problems[0].message.startswith("not a valid xlsx file")


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    result = read_observations(path)
    assert "save it as .xlsx" in result.problems[0].message


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_observations(tmp_path / "nowhere.csv")


def test_xlsx_title_rows_numeric_cells_and_formulas(tmp_path: Path) -> None:
    path = tmp_path / "befolkning.xlsx"
    write_xlsx(
        path,
        [
            ["07459: Befolkning 1. januar"],
            [],
            ["Kommune", "År", "Verdi", "Enhet"],
            [301, 2023, 709037, "personer"],  # Excel stored Oslo as the number 301
            ["3201", 2023.0, 129874.0, "personer"],
            ["1101", 2023, "=B6*2", None],
            ["1101", 2022, 4.6],
        ],
    )
    result = read_observations(path, default_indicator="population")
    assert result.format == "xlsx-long"
    assert result.problems == []
    assert result.rows == [
        RawRow(4, "301", None, "2023", "709037", "personer"),
        RawRow(5, "3201", None, "2023", "129874", "personer"),
        RawRow(6, "1101", None, "2023", "=B6*2"),
        RawRow(7, "1101", None, "2022", "4.6"),
    ]


def test_xlsx_wide(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    write_xlsx(path, [["place", "indicator", 2019, 2020], ["0301", "population", 681071, 693494]])
    result = read_observations(path)
    assert result.format == "xlsx-wide"
    assert [(row.line, row.year, row.value) for row in result.rows] == [
        (2, "2019", "681071"),
        (2, "2020", "693494"),
    ]


def test_json_stat_with_value_list_and_status() -> None:
    result = read_observations(FILES / "ssb_07459_list.json")
    assert result.format == "json-stat"
    assert result.problems == []
    assert result.rows == [
        RawRow(1, "K-3201", "Personer1", "2019", "", "personer", ".."),
        RawRow(2, "K-3201", "Personer1", "2020", "127731", "personer"),
        RawRow(3, "K-0219", "Personer1", "2019", "126841", "personer"),
        RawRow(4, "K-0219", "Personer1", "2020", "", "personer", ".."),
        RawRow(5, "0301", "Personer1", "2019", "681071", "personer"),
        RawRow(6, "0301", "Personer1", "2020", "693494", "personer"),
    ]


def test_json_stat_default_indicator_replaces_the_contents_code() -> None:
    result = read_observations(FILES / "ssb_07459_list.json", default_indicator="population")
    assert {row.indicator for row in result.rows} == {"population"}


def test_json_stat_sparse_values_and_two_contents() -> None:
    result = read_observations(FILES / "ssb_sparse_two_contents.json")
    assert result.problems == []
    assert [
        (r.line, r.place, r.indicator, r.year, r.value, r.unit, r.flags) for r in result.rows
    ] == [
        (1, "0301", "Personer1", "2019", "681071", "personer", None),
        (2, "0301", "Personer1", "2020", "693494", "personer", None),
        (3, "0301", "Andel80", "2019", "3.08", "prosent", "p"),
        (4, "0301", "Andel80", "2020", "3.08", "prosent", None),
        (6, "K-3201", "Personer1", "2020", "127731", "personer", None),
        (8, "K-3201", "Andel80", "2020", "4.73", "prosent", None),
    ]


def test_json_stat_two_contents_cannot_share_one_default_indicator() -> None:
    result = read_observations(FILES / "ssb_sparse_two_contents.json", default_indicator="x")
    assert result.rows == []
    assert "2 contents (Personer1, Andel80)" in result.problems[0].message


def test_json_stat_extra_dimension_must_be_selected(tmp_path: Path) -> None:
    path = tmp_path / "kjonn.json"
    path.write_text(
        '{"class": "dataset", "id": ["Region", "Kjonn", "Tid"], "size": [1, 2, 1],'
        ' "dimension": {"Region": {"category": {"index": ["0301"]}},'
        ' "Kjonn": {"category": {"index": ["1", "2"]}},'
        ' "Tid": {"category": {"index": ["2023"]}}}, "value": [350000, 359037]}'
    )
    result = read_observations(path, default_indicator="population")
    assert result.rows == []
    assert result.problems[0].column == "Kjonn"
    assert "has 2 categories" in result.problems[0].message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"class": "collection"}', "not a JSON-stat dataset"),
        ('{"class": "dataset", "id": ["Region"], "size": [2], "dimension": {}}', "no usable"),
        (
            '{"class": "dataset", "id": ["Region", "Tid"], "size": [1, 1], "dimension":'
            ' {"Region": {"category": {"index": ["0301"]}}, "Tid": {"category": {"index":'
            ' ["2023"]}}}, "value": [1, 2, 3]}',
            "3 values but its dimensions make 1",
        ),
    ],
)
def test_malformed_json_stat_is_refused(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = read_observations(path, default_indicator="population")
    assert result.rows == []
    assert expected in result.problems[0].message


def test_open_sdg_headline_rows_with_geocode() -> None:
    result = read_observations(FILES / "indicator_3-b-1.csv")
    assert result.format == "open-sdg"
    assert result.problems == []
    assert [(r.line, r.place, r.indicator, r.year, r.value, r.unit) for r in result.rows] == [
        (3, "0301", "3-b-1", "2017", "94.3", "Percent"),
        (5, "0301", "3-b-1", "2018", "94.8", "Percent"),
        (6, "1101", "3-b-1", "2018", "97.3", "Percent"),
        (7, "5001", "3-b-1", "2018", "97.1", "Percent"),
        (8, "0219", "3-b-1", "2018", "96.7", "Percent"),
    ]
    assert "1 row without GeoCode (a national figure) was skipped" in result.notes
    assert "1 disaggregated row was skipped (headline only)" in result.notes


def test_open_sdg_default_indicator_wins_over_file_name() -> None:
    result = read_observations(FILES / "indicator_3-b-1.csv", default_indicator="measles")
    assert {row.indicator for row in result.rows} == {"measles"}


def _write_large(path: Path, *, delimiter: str = ",", decimal: str = ".") -> int:
    """A long file well above `_COLUMNAR_MIN_CHARS` (4.6M characters), so the reader takes
    its column-wise path. Its speed at a million rows is the benchmark's to show."""
    places = ["0301", "1101", "3201", "3203", "4601", "5001", "1508", "1580"]
    count = 200_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write(delimiter.join(["place", "indicator", "year", "value"]) + "\n")
        for number in range(count):
            value = f"{number % 99991}{decimal}5"
            place = places[number % 8]
            handle.write(f"{place}{delimiter}i{number // 8000}{delimiter}{2000 + number % 24}")
            handle.write(f"{delimiter}{value}\n")
    return count


@pytest.mark.slow
def test_a_large_file_reads_column_wise_with_exact_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    count = _write_large(path)
    assert path.stat().st_size > _COLUMNAR_MIN_CHARS
    result = read_observations(path)
    assert result.problems == []
    assert len(result.rows) == count
    assert result.rows[0] == RawRow(2, "0301", "i0", "2000", "0.5")
    assert result.rows[-1].line == count + 1
    assert result.rows[123_456] == RawRow(123_458, "0301", "i15", "2000", "23465.5")


@pytest.mark.slow
def test_a_large_file_with_a_ragged_row_still_names_it(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    count = _write_large(path, delimiter=";", decimal=",")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('0301;i1;2024\n\n0301;i1;2025;7,5;\n"3201";"a;b";"2026";"1 234,5"\n')
    result = read_observations(path)
    assert [(problem.line, problem.column) for problem in result.problems] == [(count + 2, None)]
    assert result.rows[-2:] == [
        RawRow(count + 4, "0301", "i1", "2025", "7,5"),
        RawRow(count + 5, "3201", "a;b", "2026", "1 234,5"),  # a quoted separator
    ]
    assert len(result.rows) == count + 2
