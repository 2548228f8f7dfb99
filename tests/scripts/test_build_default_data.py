"""Tests of scripts/build_default_data.py and the committed src/sdgnet/defaultdata (no Django)."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
COMMITTED = REPO / "src" / "sdgnet" / "defaultdata"
FRAMEWORK = COMMITTED / "frameworks" / "kommunale-baerekraftsindikatorer.csv"
HAS_DATA = (DATA / "stats").is_dir()
needs_data = pytest.mark.skipif(
    not HAS_DATA, reason=f"{DATA} is absent (CI has ../shared/data beside the repository)"
)


def _load_script() -> ModuleType:
    path = REPO / "scripts" / "build_default_data.py"
    spec = importlib.util.spec_from_file_location("build_default_data", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_default_data"] = module
    spec.loader.exec_module(module)
    return module


bdd = _load_script()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def data_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json")
    }


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, float]:
    if not HAS_DATA:
        pytest.skip(f"{DATA} is absent (CI has ../shared/data beside the repository)")
    out = tmp_path_factory.mktemp("defaultdata")
    start = time.perf_counter()
    report = bdd.build(DATA, out)
    return out, report, time.perf_counter() - start


# --------------------------------------------------------------- committed == fresh build


@needs_data
def test_committed_defaultdata_equals_a_fresh_build(fresh_build: tuple[Path, dict, float]) -> None:
    out, _report, _seconds = fresh_build
    fresh, committed = data_files(out), data_files(COMMITTED)
    assert sorted(fresh) == sorted(committed), "file sets differ: rerun the build script"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"stale committed files (rerun scripts/build_default_data.py): {changed}"


def test_municipalities_are_named_by_their_official_names_in_every_language() -> None:
    names = {
        row["code"]: (row["name"], row["name_no"]) for row in rows(COMMITTED / "municipalities.csv")
    }
    assert len(names) == 357
    # The municipalities file named these by their Sami part alone; a reader looking for
    # Røros or Kautokeino found "Rosse" and "Guovdageaidnu".
    assert names["5025"] == ("Rosse - Røros", "Røros")
    assert names["5612"] == ("Guovdageaidnu - Kautokeino", "Kautokeino")
    assert names["5001"] == ("Trondheim - Tråante", "Trondheim")
    assert names["3201"] == ("Bærum", "Bærum")
    assert all(no in name.split(" - ") for name, no in names.values())


@needs_data
def test_build_is_deterministic_and_fast(
    fresh_build: tuple[Path, dict, float], tmp_path: Path
) -> None:
    out, _report, seconds = fresh_build
    assert seconds < 10, f"build took {seconds:.1f} s"
    bdd.build(DATA, tmp_path)
    assert data_files(tmp_path) == data_files(out)


# --------------------------------------------------------------- counts


def test_catalog_counts() -> None:
    goals = rows(COMMITTED / "goals.csv")
    assert len(goals) == 17
    assert [g["colour"] for g in goals] == list(bdd.GOAL_COLOURS)
    assert goals[0]["colour"] == "#E5243B" and goals[16]["colour"] == "#19486A"
    assert all(g["short_nb"] and g["title_nb"] and g["title_en"] for g in goals)
    targets = rows(COMMITTED / "targets.csv")
    assert len(targets) == 169
    codes = [t["code"] for t in targets]
    assert codes == sorted(codes, key=bdd.natural_key)
    assert codes.index("11.7") < codes.index("11.a") < codes.index("11.c")
    indicators = rows(COMMITTED / "sdg_indicators.csv")
    assert len(indicators) == 248
    ind_codes = [i["code"] for i in indicators]
    assert len(set(ind_codes)) == 248
    assert not bdd.RETIRED_INDICATORS & set(ind_codes)
    assert "0" not in ind_codes
    assert {i["target"] for i in indicators} <= set(codes)
    assert all(i["code"].startswith(i["target"] + ".") for i in indicators)
    by_code = {i["code"]: i for i in indicators}
    assert by_code["11.5.3"]["title_en"].startswith("(a) Damage to critical infrastructure")
    assert by_code["3.b.1"]["unsd_code"] == "C030b01"


@needs_data
# The UN workbook carries an Excel for Mac sheet extension that openpyxl cannot
# read and says so on every load; the cells the test reads are unaffected.
@pytest.mark.filterwarnings("ignore:Unknown extension is not supported:UserWarning")
def test_indicator_codes_equal_the_official_un_workbook() -> None:
    import re

    import openpyxl

    path = DATA / "sdg" / "Global_Indicator_Framework_after_2023_refinement.English.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    official = set()
    for row in wb.active.iter_rows(values_only=True):
        for cell in row:
            if isinstance(cell, str) and (m := re.match(r"(\d+\.[0-9a-z]+\.\d+)\s", cell.strip())):
                official.add(m.group(1))
    wb.close()
    assert official == {i["code"] for i in rows(COMMITTED / "sdg_indicators.csv")}


def test_place_counts() -> None:
    assert len(rows(COMMITTED / "counties.csv")) == 15
    municipalities = rows(COMMITTED / "municipalities.csv")
    assert len(municipalities) == 357
    assert sum(int(m["population"]) for m in municipalities) == 5_550_203
    counties = {c["code"] for c in rows(COMMITTED / "counties.csv")}
    assert {m["county"] for m in municipalities} == counties
    assert all(m["code"][:2] == m["county"] for m in municipalities)


def test_population_2024_matches_the_municipality_list() -> None:
    pop = {
        r["place"]: int(r["value"])
        for r in rows(COMMITTED / "observations" / "population.csv")
        if r["year"] == "2024"
    }
    municipalities = {
        m["code"]: int(m["population"]) for m in rows(COMMITTED / "municipalities.csv")
    }
    assert pop == municipalities


# --------------------------------------------------------------- code history


def history() -> dict[str, list[dict[str, str]]]:
    by_old: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows(COMMITTED / "code_history.csv"):
        by_old[r["old_code"]].append(r)
    return by_old


def test_baerum_and_asker_resolve_to_2024_codes() -> None:
    h = history()
    for old in ("0219", "3024", "3201"):
        assert [(r["new_code"], r["weight"]) for r in h[old]] == [("3201", "1")]
    for old in ("0220", "0627", "0628", "3025", "3203"):
        assert [(r["new_code"], r["weight"]) for r in h[old]] == [("3203", "1")]
    assert h["3201"][0]["valid_to"] == "" and h["0219"][0]["valid_to"] == "2019"


def test_code_history_every_current_code_maps_to_itself_and_splits_sum_to_one() -> None:
    h = history()
    current = {m["code"] for m in rows(COMMITTED / "municipalities.csv")}
    for code in current:
        assert [(r["new_code"], r["weight"]) for r in h[code]] == [(code, "1")]
    for old, maps in h.items():
        assert {r["new_code"] for r in maps} <= current, old
        assert sum(Decimal(r["weight"]) for r in maps) == 1, old
        assert all(r["valid_to"] == "" or int(r["valid_to"]) >= 2000 for r in maps)
    # Ålesund 2020-2023 (1507) was split into Ålesund 1508 and Haram 1580 in 2024.
    assert {(r["new_code"], r["weight"]) for r in h["1507"]} == {("1508", "0.5"), ("1580", "0.5")}
    # Snillfjord (split 2020) lands on three municipalities with the source's weights.
    assert {(r["new_code"], r["weight"]) for r in h["5012"]} == {
        ("5055", "0.35"),
        ("5056", "0.35"),
        ("5059", "0.3"),
    }


# --------------------------------------------------------------- observations


def obs(indicator: str) -> dict[tuple[str, str], dict[str, str]]:
    return {
        (r["place"], r["year"]): r for r in rows(COMMITTED / "observations" / f"{indicator}.csv")
    }


def test_merged_rate_is_recomputed_from_counts_asker_2009() -> None:
    # Storting election 2009, as published: Asker 0220 30663/37066, Røyken 0627 10565/13172,
    # Hurum 0628 5032/6590. Merged Asker (3203): 46260 / 56828 = 81.4035... % -> 81.4
    # (a plain mean of the three rates would give 79.8: rates are never averaged).
    row = obs("voter-turnout-storting")[("3203", "2009")]
    assert row == {"place": "3203", "year": "2009", "value": "81.4", "flags": "derived"}
    if HAS_DATA:
        published = {
            (r["municipality"], r["numerator"], r["denominator"])
            for r in rows(DATA / "stats" / "voter_turnout_storting.csv")
            if r["year"] == "2009"
        }
        assert {
            ("0220", "30663", "37066"),
            ("0627", "10565", "13172"),
            ("0628", "5032", "6590"),
        } <= published


def test_renumbered_and_unchanged_values_are_kept() -> None:
    turnout = obs("voter-turnout-storting")
    assert turnout[("3201", "2021")]["flags"] == ""  # Bærum 3024 in 2021, renumbered
    measles = obs("vaccination-measles-age2")
    assert measles[("3201", "2018")] == {
        "place": "3201",
        "year": "2018",
        "value": "96.7",
        "flags": "",
    }


def test_split_municipalities_get_no_values_before_the_split() -> None:
    turnout = obs("voter-turnout-storting")
    for place in ("1508", "1580"):  # Ålesund / Haram, split from 1507 in 2024
        assert (place, "2021") not in turnout
        assert (place, "2025") in turnout


@needs_data
def test_no_value_is_invented() -> None:
    """Every output value is a published value (same year, a code resolving 1:1 to the
    place) or a documented derivation (sum of counts / sum(num)/sum(den)*100)."""
    h = history()
    resolve = {old: {(r["new_code"], r["weight"]) for r in maps} for old, maps in h.items()}
    for fw in rows(FRAMEWORK):
        source = rows(DATA / "stats" / f"{fw['stats_file']}.csv")
        by_place_year: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for r in source:
            targets = resolve.get(r["municipality"], set())
            if fw["code_basis"] == "2024":
                targets = {(r["municipality"], "1")}
            if len(targets) == 1 and next(iter(targets))[1] == "1":
                by_place_year[(next(iter(targets))[0], r["year"])].append(r)
        for (place, year), out in obs(fw["indicator"]).items():
            contributors = by_place_year[(place, year)]
            assert contributors, f"{fw['indicator']} {place} {year}: no source row"
            if out["flags"] == "":
                assert len(contributors) == 1
                assert out["value"] == contributors[0]["value"]
            elif fw["measure"] == "count":
                total = sum(Decimal(c["value"]) for c in contributors)
                assert Decimal(out["value"]) == total
            else:
                assert out["flags"] == "derived"
                num = sum(Decimal(c["numerator"]) for c in contributors)
                den = sum(Decimal(c["denominator"]) for c in contributors)
                assert len(contributors) > 1
                assert abs(Decimal(out["value"]) - num / den * 100) <= Decimal("0.05")


def test_observations_are_sorted_and_on_2024_codes() -> None:
    current = {m["code"] for m in rows(COMMITTED / "municipalities.csv")}
    for fw in rows(FRAMEWORK):
        path = COMMITTED / "observations" / f"{fw['indicator']}.csv"
        data = rows(path)
        assert data, path
        assert {r["place"] for r in data} <= current
        keys = [(r["place"], int(r["year"])) for r in data]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        assert {r["flags"] for r in data} <= {"", "derived"}
        for r in data:
            Decimal(r["value"])


# --------------------------------------------------------------- mapping rules (synthetic)


def synthetic_history() -> object:
    """A (old) + B (old) merged into M; S (old) split into P (0.5) and Q (0.5); R renumbered to T."""
    hist = bdd.CodeHistory(current=frozenset({"1001", "2001", "2002", "3001"}))
    hist.period = {
        "0101": (1838, 2019),
        "0102": (1838, 2019),
        "1001": (2020, None),
        "0201": (1838, 2019),
        "2001": (2020, None),
        "2002": (2020, None),
        "0301": (1838, 2019),
        "3001": (2020, None),
    }
    one = Decimal(1)
    hist.resolved = {
        "0101": {"1001": one},
        "0102": {"1001": one},
        "1001": {"1001": one},
        "0201": {"2001": Decimal("0.5"), "2002": Decimal("0.5")},
        "2001": {"2001": one},
        "2002": {"2002": one},
        "0301": {"3001": one},
        "3001": {"3001": one},
    }
    hist.successors = {
        "0101": {"1001"},
        "0102": {"1001"},
        "0201": {"2001", "2002"},
        "0301": {"3001"},
    }
    return hist


def series(name: str, data: list[tuple[str, int, str, str, str]], counts: bool) -> object:
    records = []
    for code, year, value, num, den in data:
        r = {"municipality": code, "year": str(year), "value": value}
        if counts:
            r |= {"numerator": num, "denominator": den}
        records.append(r)
    return bdd.Series(name, records, counts, max(bdd.decimals_of(v) for _, _, v, _, _ in data))


def fw_row(measure: str) -> dict[str, str]:
    return {"measure": measure, "code_basis": "year"}


def test_counts_are_summed_only_when_all_predecessors_have_values() -> None:
    hist = synthetic_history()
    s = series(
        "x",
        [("0101", 2018, "10", "", ""), ("0102", 2018, "5", "", ""), ("0101", 2019, "11", "", "")],
        counts=False,
    )
    out, stats = bdd.map_series(s, fw_row("count"), hist)
    assert out == [("1001", 2018, "15", "")]
    assert stats["dropped_incomplete_merge"] == 1


def test_rates_are_never_averaged_but_recomputed_from_counts() -> None:
    hist = synthetic_history()
    data = [("0101", 2018, "50.0", "1", "2"), ("0102", 2018, "25.0", "1", "4")]
    out, stats = bdd.map_series(series("x", data, counts=False), fw_row("rate"), hist)
    assert out == [] and stats["dropped_rate_merge"] == 2
    out, _ = bdd.map_series(series("x", data, counts=True), fw_row("rate"), hist)
    assert out == [("1001", 2018, "33.3", "derived")]  # 2/6, not (50+25)/2


def test_splits_are_dropped_and_renumbering_keeps_the_value() -> None:
    hist = synthetic_history()
    data = [("0201", 2018, "7", "", ""), ("0301", 2018, "3.5", "", "")]
    for measure in ("count", "rate"):
        out, stats = bdd.map_series(series("x", data, counts=False), fw_row(measure), hist)
        assert out == [("3001", 2018, "3.5", "")]
        assert stats["dropped_split"] == 1 and stats["kept_renumbered"] == 1


# --------------------------------------------------------------- framework validity


def test_framework_is_valid() -> None:
    fw = rows(FRAMEWORK)
    assert tuple(fw[0].keys()) == bdd.FRAMEWORK_COLUMNS
    target_codes = {t["code"] for t in rows(COMMITTED / "targets.csv")}
    for r in fw:
        assert r["measure"] in ("count", "rate")
        assert r["direction"] in ("increase", "decrease", "context")
        assert r["index"] in ("yes", "no")
        for t in r["targets"].split(";"):
            assert t in target_codes, (r["indicator"], t)
        if r["direction"] == "context":
            assert not any(r[c] for c in ("best", "worst", "green", "red"))
            assert r["index"] == "no"
            continue
        best, worst = Decimal(r["best"]), Decimal(r["worst"])
        green, red = Decimal(r["green"]), Decimal(r["red"])
        assert best != worst
        sign = 1 if r["direction"] == "increase" else -1
        assert sign * (best - worst) > 0
        assert sign * (green - red) > 0, f"{r['indicator']}: green must be better than red"
        assert sign * (best - green) >= 0 and sign * (red - worst) >= 0
        assert r["target_year"] == "2030" and r["target_value"]
    meta = json.loads((FRAMEWORK.with_suffix(".json")).read_text(encoding="utf-8"))
    assert meta["slug"] == FRAMEWORK.stem
    assert set(meta) == {
        "slug",
        "name_nb",
        "name_en",
        "version",
        "description_nb",
        "description_en",
    }


@needs_data
def test_every_stats_file_has_a_framework_row() -> None:
    stems = {p.stem for p in (DATA / "stats").glob("*.csv")}
    assert stems == {r["stats_file"] for r in rows(FRAMEWORK)}


@needs_data
def test_a_new_stats_file_without_a_framework_row_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for sub in ("places", "geo", "sdg", "u4ssc"):
        (data / sub).symlink_to(DATA / sub)
    shutil.copytree(DATA / "stats", data / "stats")
    (data / "stats" / "new_series.csv").write_text("municipality,year,value\n0301,2024,1\n")
    with pytest.raises(bdd.BuildError, match="new_series"):
        bdd.build(data, tmp_path / "out")


def test_u4ssc_list() -> None:
    kpis = rows(COMMITTED / "frameworks" / "u4ssc.csv")
    assert len(kpis) == 111
    assert tuple(kpis[0].keys()) == bdd.U4SSC_COLUMNS
    assert len({k["indicator"] for k in kpis}) == 111
    assert sum(k["tier"] == "core" for k in kpis) == 66
    assert sum(k["tier"] == "advanced" for k in kpis) == 45
    assert all(k["name_nb"] and k["name_en"] and k["goals"] for k in kpis)
    meta = json.loads((COMMITTED / "frameworks" / "u4ssc.json").read_text(encoding="utf-8"))
    assert meta["slug"] == "u4ssc"
