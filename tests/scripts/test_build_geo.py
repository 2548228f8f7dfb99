"""scripts/build_geo.py: the committed map equals a fresh build from ../shared/data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO.parent / "shared" / "data" / "geo" / "kommuner_2024.topojson"
COMMITTED = REPO / "src" / "sdgnet" / "dashboards" / "geo" / "municipalities_2024.json"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_geo", REPO / "scripts" / "build_geo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_geo"] = module
    spec.loader.exec_module(module)
    return module


def test_simplify_keeps_ends_and_drops_collinear_points() -> None:
    build_geo = _script()
    line = [(0.0, 60.0), (0.5, 60.0001), (1.0, 60.0), (1.0, 61.0)]
    assert build_geo.simplify(line, 0.01) == [(0.0, 60.0), (1.0, 60.0), (1.0, 61.0)]
    island = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    assert len(build_geo.simplify(island, 5.0)) >= 4  # a closed arc stays a ring


def test_rings_are_oriented_for_vega() -> None:
    build_geo = _script()
    counter_clockwise = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
    assert build_geo.signed_area(counter_clockwise) > 0
    assert build_geo.signed_area(build_geo.oriented(counter_clockwise, clockwise=True)) < 0


@pytest.mark.skipif(not SOURCE.exists(), reason=f"{SOURCE} is absent")
def test_committed_map_equals_a_fresh_build(tmp_path: Path) -> None:
    build_geo = _script()
    out = tmp_path / "map.json"
    assert build_geo.main([str(SOURCE), "--out", str(out)]) == 0
    assert out.read_bytes() == COMMITTED.read_bytes()
