"""Build bot/data/history.json.gz, the history a fresh install starts from.

    python scripts/build_snapshot.py [DATASET_DIR]

DATASET_DIR holds russia_losses_equipment.json and russia_losses_personnel.json from the public
"2022-Ukraine-Russia-War-Dataset" (default: tests/fixtures/dataset, the copy the tests use).
The files are stored as they are, only minified and compressed, so the snapshot is the dataset.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bot" / "data" / "history.json.gz"
FILES = {
    "equipment": "russia_losses_equipment.json",
    "personnel": "russia_losses_personnel.json",
}


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/fixtures/dataset"
    snapshot = {kind: json.loads((source / name).read_text()) for kind, name in FILES.items()}
    encoded = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")).encode()
    # mtime=0 keeps the file byte-identical when the data has not changed.
    OUTPUT.write_bytes(gzip.compress(encoded, compresslevel=9, mtime=0))
    days = len(snapshot["equipment"])
    print(f"{OUTPUT.relative_to(ROOT)}: {days} days, {OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
