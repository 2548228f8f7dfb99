"""The bulk-write helpers of `sdgnet.web.bulk` that need no database."""

from __future__ import annotations

import gc

import pytest

from sdgnet.web.bulk import gc_paused


@pytest.fixture(autouse=True)
def _collector_restored():
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_gc_paused_pauses_and_resumes_the_collector():
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_resumes_after_an_error():
    gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a failed write")
    assert gc.isenabled()


def test_gc_paused_leaves_a_collector_paused_elsewhere_paused():
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_gc_paused_as_a_decorator():
    gc.enable()

    @gc_paused()
    def write() -> bool:
        return gc.isenabled()

    assert write() is False
    assert gc.isenabled()
