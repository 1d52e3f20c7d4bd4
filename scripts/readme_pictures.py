"""Draw the pictures README.md shows: a daily card and a chart, from the bundled history.

    python scripts/readme_pictures.py [FOLDER]   # default: docs/

They are drawn by the bot's own code (bot/cards.py, bot/charts.py), in English and Ukrainian,
from the history a fresh install starts from, so they show what a reader gets.
"""

from __future__ import annotations

import io
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from bot import cards, charts, render, texts
from bot.figures import bulletin_on
from bot.ingest import seed_if_empty
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 8, 8, 9, 0, tzinfo=UTC)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch) / "bulletin.db")
        seed_if_empty(store, now=NOW, today=NOW.date())
        view = bulletin_on(store)
        assert view is not None
        for language in texts.LANGUAGES:
            texts.set_language(language)
            save(folder / f"card-{language}.png", cards.draw(render.card(view)))
            period = charts.parse_period("90d", view.report.date)
            data = charts.data_series(store, ["tanks"], period)
            save(folder / f"chart-{language}.png", charts.draw(data, period, set()))
        store.close()


def save(path: Path, png: bytes) -> None:
    """A picture kept small for the repository: a palette of 64 colours, which these flat
    pictures hardly need more of."""
    Image.open(io.BytesIO(png)).quantize(colors=64).save(path, optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
