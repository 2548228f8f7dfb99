"""The embedded default dataset, built by scripts/build_default_data.py from ../shared/data."""

from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent
