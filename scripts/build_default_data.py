#!/usr/bin/env python3
"""Build the embedded default dataset (src/sdgnet/defaultdata/) from ../shared/data.

Usage (from the repository root)::

    .venv/bin/python scripts/build_default_data.py [DATA_DIR] [--out OUT_DIR] [--quiet]

DATA_DIR defaults to ``../shared/data`` relative to the repository root, OUT_DIR to
``src/sdgnet/defaultdata``. The output is deterministic (sorted CSV, fixed formatting):
running the script twice gives byte-identical files, and the test suite checks that the
committed files equal a fresh build.

Nothing is invented. Every observation written is either a value copied from a stats file
(possibly under its renumbered 2024 municipality code) or, for merged municipalities, a
documented derivation from real values (sum of counts; sum(numerator)/sum(denominator)×100
for rates that carry their counts, flagged ``derived``). Whatever cannot be mapped exactly
is dropped and counted in the printed summary.

The framework definition lives in ``scripts/frameworks/`` (hand-authored). Adding a stats
series needs one row there (and one paragraph in docs/frameworks.md); this script handles
every stats file generically from its row (measure, code basis, bound tokens).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "src" / "sdgnet" / "defaultdata"
FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
DEFAULT_FRAMEWORK = "kommunale-baerekraftsindikatorer"

GOAL_COLOURS = (
    "#E5243B",
    "#DDA63A",
    "#4C9F38",
    "#C5192D",
    "#FF3A21",
    "#26BDE2",
    "#FCC30B",
    "#A21942",
    "#FD6925",
    "#DD1367",
    "#FD9D24",
    "#BF8B2E",
    "#3F7E44",
    "#0A97D9",
    "#56C02B",
    "#00689D",
    "#19486A",
)
RETIRED_INDICATORS = frozenset({"1.a.3", "8.9.2", "11.c.1", "13.3.2", "17.6.2"})

FRAMEWORK_COLUMNS = (
    "indicator",
    "name_nb",
    "name_en",
    "definition_nb",
    "definition_en",
    "unit",
    "measure",
    "direction",
    "goal",
    "targets",
    "best",
    "worst",
    "green",
    "red",
    "target_value",
    "target_year",
    "weight",
    "index",
    "source",
    "source_url",
    "stats_file",
    "code_basis",
)
BOUND_COLUMNS = ("best", "worst", "green", "red", "target_value")
U4SSC_COLUMNS = (
    "indicator",
    "name_en",
    "name_nb",
    "dimension",
    "sub_dimension",
    "category",
    "tier",
    "goals",
    "sdg_indicator_of",
    "source_url",
)


class BuildError(Exception):
    """The input data or the framework definition is not as expected."""


# --------------------------------------------------------------------------- helpers


def natural_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for SDG codes: 1 < 2 < 10, digits before letters (11.6 < 11.a)."""
    parts: list[tuple[int, int | str]] = []
    for part in code.split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)


def clean(text: object) -> str:
    """Collapse whitespace of a text cell."""
    return re.sub(r"\s+", " ", str(text or "")).strip()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a CSV with LF line endings; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    path.write_text(buf.getvalue(), encoding="utf-8")
    return count


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def fmt_decimal(value: Decimal) -> str:
    """Plain decimal notation, no exponent, no trailing zeros beyond the value's own."""
    text = format(value, "f")
    return "0" if text in ("-0", "-0.0") else text


def decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percentile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """p-th percentile, linear interpolation between order statistics (Hyndman-Fan type 7,
    the default of numpy, R and Excel PERCENTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        raise BuildError("percentile of an empty distribution")
    h = (Decimal(len(ordered)) - 1) * p / 100
    lo = int(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


# --------------------------------------------------------------------------- SDG catalog


def load_yaml(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BuildError(f"{path}: not a mapping")
    return {str(k): clean(v) for k, v in data.items()}


def build_catalog(data: Path, out: Path) -> dict[str, int]:
    sdg = data / "sdg"
    g_en, g_nb = load_yaml(sdg / "en_global_goals.yml"), load_yaml(sdg / "nb_NO_global_goals.yml")
    goals = []
    for n in range(1, 18):
        goals.append(
            (
                n,
                g_nb[f"{n}-short"],
                g_en[f"{n}-short"],
                g_nb[f"{n}-title"],
                g_en[f"{n}-title"],
                GOAL_COLOURS[n - 1],
            )
        )
    n_goals = write_csv(
        out / "goals.csv",
        ("number", "short_nb", "short_en", "title_nb", "title_en", "colour"),
        goals,
    )

    t_en, t_nb = (
        load_yaml(sdg / "en_global_targets.yml"),
        load_yaml(sdg / "nb_NO_global_targets.yml"),
    )
    targets = []
    for key in t_en:
        code = key.removesuffix("-title").replace("-", ".")
        targets.append((code, int(code.split(".")[0]), t_nb[key], t_en[key]))
    targets.sort(key=lambda r: natural_key(r[0]))
    n_targets = write_csv(out / "targets.csv", ("code", "goal", "title_nb", "title_en"), targets)
    target_codes = {t[0] for t in targets}

    i_en, i_nb = (
        load_yaml(sdg / "en_global_indicators.yml"),
        load_yaml(sdg / "nb_NO_global_indicators.yml"),
    )
    unsd = read_csv(sdg / "SDG_Target_Indicator_UNSD_2023.csv", delimiter=";")
    seen: dict[str, tuple[str, str, str, str, str]] = {}
    repeats = 0
    for row in unsd:
        code = clean(row["IndicatorsNumber"])
        if code == "0":  # the non-indicator row of the CSV
            continue
        if code in RETIRED_INDICATORS:
            continue
        if code in seen:  # keep one row per code, under its first target
            repeats += 1
            continue
        target = clean(row["TargetsNumber"])
        if target not in target_codes:
            raise BuildError(f"indicator {code}: unknown target {target}")
        key = code.replace(".", "-") + "-title"
        title_en = i_en.get(key) or clean(row["Indicators"])
        title_nb = i_nb.get(key) or title_en  # 11.5.3: no Norwegian title exists in the sources
        seen[code] = (code, target, title_nb, title_en, clean(row["UNSDIndicatorCodes"]))
    indicators = sorted(seen.values(), key=lambda r: natural_key(r[0]))
    n_ind = write_csv(
        out / "sdg_indicators.csv",
        ("code", "target", "title_nb", "title_en", "unsd_code"),
        indicators,
    )
    return {"goals": n_goals, "targets": n_targets, "indicators": n_ind, "repeats": repeats}


# --------------------------------------------------------------------------- places


def build_places(data: Path, out: Path) -> dict[str, str]:
    """Writes counties.csv and municipalities.csv; returns {code: county} of 2024."""
    counties = json.loads((data / "places" / "counties_2024.json").read_text(encoding="utf-8"))
    write_csv(
        out / "counties.csv",
        ("code", "name"),
        sorted((c["id"], c["name"]) for c in counties),
    )
    rows = read_csv(data / "places" / "municipalities_2024.csv")
    # The name shown is the official one, in every language it has (Kartverket's map data:
    # "Rosse - Røros", "Trondheim - Tråante"); the municipalities file gives only one part
    # of it, for twelve municipalities the Sami part alone ("Rosse", "Guovdageaidnu").
    features = json.loads((data / "geo" / "kommuner_2024.geojson").read_text(encoding="utf-8"))
    official = {
        f["properties"]["kommunenummer"]: f["properties"]["name"] for f in features["features"]
    }
    for r in rows:
        parts = official[r["kommunenummer"]].split(" - ")
        if r["name"] not in parts or r["name_no"] not in parts:
            raise BuildError(
                f"{r['kommunenummer']}: the map names it {official[r['kommunenummer']]!r}"
            )
    municipalities = sorted(
        (
            r["kommunenummer"],
            official[r["kommunenummer"]],
            r["name_no"],
            r["county_code"],
            r["population"],
            r["area_km2"],
            r["adm_center"],
            r["language_form"],
            r["url"],
        )
        for r in rows
    )
    write_csv(
        out / "municipalities.csv",
        (
            "code",
            "name",
            "name_no",
            "county",
            "population",
            "area_km2",
            "adm_centre",
            "language_form",
            "url",
        ),
        municipalities,
    )
    return {m[0]: m[3] for m in municipalities}


@dataclass
class CodeHistory:
    """Municipality codes valid since 2000, resolved to 2024 codes."""

    current: frozenset[str]
    # code -> (valid_from, valid_to or None)
    period: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    # code -> {2024 code: weight}
    resolved: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    # code -> direct successors (for ancestor/descendant checks)
    successors: dict[str, set[str]] = field(default_factory=dict)

    def valid_in(self, code: str, year: int) -> bool:
        start, end = self.period[code]
        return start <= year and (end is None or year <= end)

    def descends_from(self, code: str, ancestor: str) -> bool:
        """True if `code` is reached from `ancestor` through one or more renumberings."""
        stack, seen = list(self.successors.get(ancestor, ())), set()
        while stack:
            c = stack.pop()
            if c == code:
                return True
            if c not in seen:
                seen.add(c)
                stack.extend(self.successors.get(c, ()))
        return False

    def predecessors(self, new_code: str, year: int) -> set[str]:
        """Codes valid in `year` whose territory (wholly or partly) lies in `new_code`."""
        return {c for c, res in self.resolved.items() if new_code in res and self.valid_in(c, year)}


def build_code_history(
    data: Path, out: Path, current: Iterable[str]
) -> tuple[CodeHistory, dict[str, object]]:
    wb = openpyxl.load_workbook(data / "places" / "municipality_history.xlsx", read_only=True)
    ws = wb.active
    if ws is None:
        raise BuildError("municipality_history.xlsx has no sheet")
    it = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(it)]
    raw = [dict(zip(header, r, strict=False)) for r in it]
    wb.close()

    def strip(code: object) -> str:
        m = re.search(r"(\d{4})$", str(code))
        if not m:
            raise BuildError(f"unexpected municipality code {code!r}")
        return m.group(1)

    hist = CodeHistory(current=frozenset(current))
    names: dict[str, str] = {}
    direct: dict[str, list[tuple[str | None, Decimal]]] = defaultdict(list)
    excluded: set[str] = set()
    for r in raw:
        code = strip(r["municip_code"])
        start, end = int(r["year_start"]), (None if r["year_end"] is None else int(r["year_end"]))
        if code in hist.period and hist.period[code] != (start, end):
            raise BuildError(f"code {code} has two validity periods; not supported")
        if not str(r["municip_code"]).startswith("municip_nor"):
            excluded.add(code)  # 9999 unknown, 2100 Svalbard, 2200 Jan Mayen
            continue
        hist.period[code] = (start, end)
        names[code] = str(r["municip_name"])
        succ = None if r["municip_code_end"] is None else strip(r["municip_code_end"])
        weight = Decimal(1) if r["weighting"] is None else Decimal(str(r["weighting"]))
        direct[code].append((succ, weight))
        if succ:
            hist.successors.setdefault(code, set()).add(succ)

    def resolve(code: str, depth: int = 0) -> dict[str, Decimal]:
        if depth > 20:
            raise BuildError(f"cycle in code history at {code}")
        result: dict[str, Decimal] = defaultdict(Decimal)
        for succ, weight in direct[code]:
            if succ is None:
                if code not in hist.current:
                    raise BuildError(f"code {code} has no successor and is not a 2024 code")
                result[code] += weight
            else:
                for new, w in resolve(succ, depth + 1).items():
                    result[new] += weight * w
        return dict(result)

    rows = []
    for code, (start, end) in hist.period.items():
        if end is not None and end < 2000:
            continue
        hist.resolved[code] = resolve(code)
        for new, weight in hist.resolved[code].items():
            rows.append((code, names[code], start, end, new, fmt_decimal(weight.normalize())))
    # Keep the full history (incl. pre-2000 codes) for descendant checks, but only codes
    # valid since 2000 are resolved and written.
    missing = hist.current - set(hist.resolved)
    if missing:
        raise BuildError(f"2024 codes missing from the code history: {sorted(missing)}")
    rows.sort(key=lambda r: (r[0], r[2], r[4]))
    n = write_csv(
        out / "code_history.csv",
        ("old_code", "name", "valid_from", "valid_to", "new_code", "weight"),
        rows,
    )

    # Classify the historical (non-2024) codes.
    kinds = {"current": 0, "one_to_one": 0, "merge": 0, "split": 0}
    for code, res in hist.resolved.items():
        if code in hist.current and hist.period[code][1] is None:
            kinds["current"] += 1
        elif len(res) > 1 or any(w != 1 for w in res.values()):
            kinds["split"] += 1
        else:
            (new,) = res
            start, end = hist.period[code]
            partners = [
                c
                for c, r2 in hist.resolved.items()
                if c != code
                and new in r2
                and not hist.descends_from(c, code)
                and not hist.descends_from(code, c)
                and _overlap(hist.period[c], (start, end))
            ]
            kinds["merge" if partners else "one_to_one"] += 1
    return hist, {"rows": n, "excluded": sorted(excluded), **kinds}


def _overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    a_end = a[1] if a[1] is not None else 9999
    b_end = b[1] if b[1] is not None else 9999
    return a[0] <= b_end and b[0] <= a_end


# --------------------------------------------------------------------------- framework


def read_framework(path: Path) -> list[dict[str, str]]:
    rows = read_csv(path)
    if not rows or tuple(rows[0].keys()) != FRAMEWORK_COLUMNS:
        raise BuildError(f"{path}: columns must be exactly {','.join(FRAMEWORK_COLUMNS)}")
    ids = [r["indicator"] for r in rows]
    if len(set(ids)) != len(ids):
        raise BuildError(f"{path}: duplicate indicator ids")
    for r in rows:
        where = f"{path.name}, indicator {r['indicator']}"
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["indicator"]):
            raise BuildError(f"{where}: id must be a lower-case slug")
        if r["measure"] not in ("count", "rate"):
            raise BuildError(f"{where}: measure must be count or rate")
        if r["direction"] not in ("increase", "decrease", "context"):
            raise BuildError(f"{where}: direction must be increase, decrease or context")
        if r["index"] not in ("yes", "no"):
            raise BuildError(f"{where}: index must be yes or no")
        if r["code_basis"] != "year" and not re.fullmatch(r"(19|20)\d\d", r["code_basis"]):
            raise BuildError(f"{where}: code_basis must be 'year' or a year such as 2024")
        if r["direction"] == "context" and (
            r["index"] != "no" or any(r[c] for c in ("best", "worst", "green", "red"))
        ):
            raise BuildError(f"{where}: a context indicator has no bounds and index=no")
    return rows


@dataclass
class Series:
    """One stats file, as published."""

    name: str
    rows: list[dict[str, str]]
    has_counts: bool
    decimals: int


def read_series(path: Path) -> Series:
    rows = read_csv(path)
    if not rows:
        raise BuildError(f"{path}: empty")
    cols = tuple(rows[0].keys())
    if cols[:3] != ("municipality", "year", "value"):
        raise BuildError(f"{path}: columns must start with municipality,year,value")
    has_counts = "numerator" in cols and "denominator" in cols
    seen = set()
    for i, r in enumerate(rows, start=2):
        if not re.fullmatch(r"\d{4}", r["municipality"]) or not r["year"].isdigit():
            raise BuildError(f"{path}:{i}: bad municipality or year")
        key = (r["municipality"], r["year"])
        if key in seen:
            raise BuildError(f"{path}:{i}: duplicate {key}")
        seen.add(key)
        Decimal(r["value"])  # raises on a non-number
    decimals = max(decimals_of(r["value"]) for r in rows)
    return Series(path.stem, rows, has_counts, decimals)


def compute_bound(token: str, series: Series, computed: dict[str, str]) -> str:
    """Turn a bound token of the hand-authored framework into a number (as text).

    Tokens (all computed over the values AS PUBLISHED in the latest year of the series):
      <number>   taken literally;
      top5mean   mean of the five highest values (lowest for direction=decrease: see caller);
      pNN        NN-th percentile (type 7);
      national   sum(numerator)/sum(denominator)×100, the value for Norway as a whole;
      best       same number as the computed best (for target_value).
    """
    if token == "" or re.fullmatch(r"-?\d+(\.\d+)?", token):
        return token
    if token == "best":
        return computed["best"]
    latest = max(int(r["year"]) for r in series.rows)
    year_rows = [r for r in series.rows if int(r["year"]) == latest]
    values = [Decimal(r["value"]) for r in year_rows]
    if token in ("top5mean", "bottom5mean"):
        ordered = sorted(values, reverse=token == "top5mean")[:5]
        result = sum(ordered, Decimal(0)) / len(ordered)
    elif m := re.fullmatch(r"p(\d+(?:\.\d+)?)", token):
        result = percentile(values, Decimal(m.group(1)))
    elif token == "national":
        if not series.has_counts:
            raise BuildError(f"{series.name}: 'national' needs numerator,denominator")
        num = sum((Decimal(r["numerator"]) for r in year_rows), Decimal(0))
        den = sum((Decimal(r["denominator"]) for r in year_rows), Decimal(0))
        result = num / den * 100
    else:
        raise BuildError(f"{series.name}: unknown bound token {token!r}")
    return fmt_decimal(quantize(result, series.decimals))


def build_framework(
    data: Path, out: Path, series: dict[str, Series], target_codes: set[str]
) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    rows = read_framework(FRAMEWORK_DIR / f"{DEFAULT_FRAMEWORK}.csv")
    by_file = {r["stats_file"]: r for r in rows}
    missing = sorted(set(series) - set(by_file))
    if missing:
        raise BuildError(f"stats files without a framework row: {missing}")
    unknown = sorted(set(by_file) - set(series))
    if unknown:
        raise BuildError(f"framework rows without a stats file: {unknown}")
    derivation: dict[str, dict[str, str]] = {}
    out_rows = []
    for r in rows:
        targets = r["targets"].split(";")
        for t in targets:
            if t not in target_codes:
                raise BuildError(f"{r['indicator']}: unknown SDG target {t}")
        if targets[0].split(".")[0] != r["goal"]:
            raise BuildError(f"{r['indicator']}: first target {targets[0]} not in goal {r['goal']}")
        s = series[r["stats_file"]]
        computed: dict[str, str] = {}
        tokens = {}
        for col in BOUND_COLUMNS:
            token = r[col]
            if token == "top5mean" and r["direction"] == "decrease":
                token = "bottom5mean"
            computed[col] = compute_bound(token, s, computed)
            tokens[col] = r[col]
        derivation[r["indicator"]] = tokens
        new = dict(r)
        new.update(computed)
        if r["direction"] != "context":
            best, worst = Decimal(new["best"]), Decimal(new["worst"])
            green, red = Decimal(new["green"]), Decimal(new["red"])
            sign = 1 if r["direction"] == "increase" else -1
            if not (sign * (best - worst) > 0 and sign * (green - red) > 0):
                raise BuildError(f"{r['indicator']}: bounds/thresholds on the wrong side")
        out_rows.append([new[c] for c in FRAMEWORK_COLUMNS])
    write_csv(out / "frameworks" / f"{DEFAULT_FRAMEWORK}.csv", FRAMEWORK_COLUMNS, out_rows)
    meta = json.loads((FRAMEWORK_DIR / f"{DEFAULT_FRAMEWORK}.json").read_text(encoding="utf-8"))
    write_json(out / "frameworks" / f"{DEFAULT_FRAMEWORK}.json", meta)
    return rows, derivation


def build_u4ssc(data: Path, out: Path) -> int:
    nb = {r["id"]: r["name_nb"] for r in read_csv(FRAMEWORK_DIR / "u4ssc_nb.csv")}
    rows = read_csv(data / "u4ssc" / "u4ssc_kpis.csv")
    slugs: dict[str, str] = {}
    out_rows = []
    for r in rows:
        base = re.sub(r"[^a-z0-9]+", "-", r["notation_norm"].lower()).strip("-")
        slug = base
        if " - " in r["title_en"]:
            suffix = r["title_en"].split(" - ", 1)[1]
            slug = base + "-" + re.sub(r"[^a-z0-9]+", "-", suffix.lower()).strip("-")
        if slug in slugs:
            raise BuildError(f"u4ssc: slug {slug} not unique ({slugs[slug]}, {r['id']})")
        slugs[slug] = r["id"]
        if r["id"] not in nb:
            raise BuildError(f"u4ssc: no Norwegian name for KPI {r['id']}")
        out_rows.append(
            (
                slug,
                clean(r["title_en"]),
                nb[r["id"]],
                r["dimension"],
                r["sub_dimension"],
                r["category_code"],
                r["core_or_advanced"],
                r["sdg_goals"],
                r["sdg_indicator_of"],
                r["source"],
            )
        )
    n = write_csv(out / "frameworks" / "u4ssc.csv", U4SSC_COLUMNS, out_rows)
    meta = json.loads((FRAMEWORK_DIR / "u4ssc.json").read_text(encoding="utf-8"))
    write_json(out / "frameworks" / "u4ssc.json", meta)
    return n


# --------------------------------------------------------------------------- observations


ObservationRow = tuple[str, int, str, str]


def map_series(
    series: Series, fw: dict[str, str], hist: CodeHistory
) -> tuple[list[ObservationRow], dict[str, int]]:
    """Map one series to 2024 codes. Returns (rows, summary counts)."""
    stats: dict[str, int] = defaultdict(int)
    stats["source_rows"] = len(series.rows)
    by_year: dict[int, dict[str, dict[str, str]]] = defaultdict(dict)
    for r in series.rows:
        by_year[int(r["year"])][r["municipality"]] = r
    out: list[ObservationRow] = []

    # code_basis "year": codes as they were in each row's year; a fixed year (e.g. 2018,
    # 2024): every row uses the municipality division of that year.
    fixed = None if fw["code_basis"] == "year" else int(fw["code_basis"])
    if fixed is not None:
        wrong = sorted(
            {
                r["municipality"]
                for r in series.rows
                if r["municipality"] not in hist.period
                or not hist.valid_in(r["municipality"], fixed)
            }
        )
        if wrong:
            raise BuildError(f"{series.name}: codes not valid in {fixed}: {wrong[:10]}")

    for year, rows in sorted(by_year.items()):
        division_year = year if fixed is None else fixed
        groups: dict[str, list[str]] = defaultdict(list)
        for code in rows:
            res = hist.resolved.get(code)
            if res is None:
                stats["dropped_unknown_code"] += 1
                continue
            if len(res) > 1 or any(w != 1 for w in res.values()):
                stats["dropped_split"] += 1
                continue
            (new,) = res
            groups[new].append(code)
        for new, members in sorted(groups.items()):
            expected = hist.predecessors(new, division_year) | set(members)
            # In an overlap year (the source lets 2020-2023 and 2024 codes both be valid in
            # 2023), a code and its own renumbered successor are one territory: keep the one
            # the data uses.
            expected = {
                c
                for c in expected
                if not any(
                    d != c
                    and d in rows
                    and c not in rows
                    and (hist.descends_from(d, c) or hist.descends_from(c, d))
                    for d in expected
                )
            }
            partial = any(hist.resolved[c] != {new: Decimal(1)} for c in expected)
            if len(expected) == 1 and not partial:
                (code,) = members
                out.append((new, year, rows[code]["value"], ""))
                stats["kept_same_code" if code == new else "kept_renumbered"] += 1
                continue
            if partial or set(members) != expected:
                stats["dropped_incomplete_merge"] += len(members)
                continue
            if fw["measure"] == "count":
                total = sum((Decimal(rows[c]["value"]) for c in members), Decimal(0))
                out.append((new, year, fmt_decimal(total), ""))
                stats["merged_rows_in"] += len(members)
                stats["merged_rows_out"] += 1
            elif series.has_counts and all(
                rows[c]["numerator"] and rows[c]["denominator"] for c in members
            ):
                num = sum((Decimal(rows[c]["numerator"]) for c in members), Decimal(0))
                den = sum((Decimal(rows[c]["denominator"]) for c in members), Decimal(0))
                value = quantize(num / den * 100, series.decimals)
                out.append((new, year, fmt_decimal(value), "derived"))
                stats["merged_rows_in"] += len(members)
                stats["merged_rows_out"] += 1
            else:
                stats["dropped_rate_merge"] += len(members)
    return sorted(out), dict(stats)


def build_observations(
    out: Path, series: dict[str, Series], framework: list[dict[str, str]], hist: CodeHistory
) -> dict[str, dict[str, int]]:
    summary = {}
    obs_dir = out / "observations"
    if obs_dir.exists():
        for old in obs_dir.glob("*.csv"):
            old.unlink()
    for fw in framework:
        rows, stats = map_series(series[fw["stats_file"]], fw, hist)
        stats["written"] = write_csv(
            obs_dir / f"{fw['indicator']}.csv", ("place", "year", "value", "flags"), rows
        )
        summary[fw["indicator"]] = stats
    return summary


# --------------------------------------------------------------------------- main


def build(data: Path, out: Path) -> dict[str, object]:
    if not (data / "stats").is_dir():
        raise BuildError(f"{data} does not look like shared/data (no stats/)")
    out.mkdir(parents=True, exist_ok=True)
    catalog = build_catalog(data, out)
    municipalities = build_places(data, out)
    hist, history = build_code_history(data, out, municipalities)
    target_codes = {r["code"] for r in read_csv(out / "targets.csv")}
    series = {p.stem: read_series(p) for p in sorted((data / "stats").glob("*.csv"))}
    framework, derivation = build_framework(data, out, series, target_codes)
    u4ssc = build_u4ssc(data, out)
    observations = build_observations(out, series, framework, hist)
    return {
        "catalog": catalog,
        "municipalities": len(municipalities),
        "code_history": history,
        "framework_bounds": derivation,
        "u4ssc": u4ssc,
        "observations": observations,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        report = build(args.data.resolve(), args.out)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        cat = report["catalog"]
        hist = report["code_history"]
        assert isinstance(cat, dict) and isinstance(hist, dict)
        print(
            f"catalog: {cat['goals']} goals, {cat['targets']} targets, "
            f"{cat['indicators']} indicators ({cat['repeats']} repeated codes skipped)"
        )
        print(f"places: {report['municipalities']} municipalities")
        print(
            f"code history: {hist['rows']} rows; {hist['current']} current codes, "
            f"{hist['one_to_one']} renumbered 1:1, {hist['merge']} merged, "
            f"{hist['split']} split; not municipalities: {', '.join(hist['excluded'])}"
        )
        print(f"u4ssc: {report['u4ssc']} KPIs")
        observations = report["observations"]
        assert isinstance(observations, dict)
        for name, stats in observations.items():
            parts = ", ".join(f"{k}={v}" for k, v in sorted(stats.items()))
            print(f"observations {name}: {parts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
