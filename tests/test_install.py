"""What gets installed, and how the image runs: every package pinned, the image's user as the
README says, and nothing but the bot's files on the data volume."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).casefold()


def test_every_package_installed_is_pinned_at_its_version():
    """mypy pulled ast-serialize in, unpinned: an install could get any version of it."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            name, version = requirement.split("==")
            pins[canonical(name)] = version
    # The virtual environment's own (pip, and the setuptools `venv` puts there), and this one.
    own = {"pip", "setuptools", "bulletin-bot"}
    installed = {
        canonical(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonical(d.metadata["Name"]) not in own
    }
    assert {name: pins.get(name) for name in installed} == installed


def test_the_image_keeps_only_the_bots_files_on_its_volume_and_its_uid_is_the_readmes():
    volume = re.search(r"^VOLUME (\S+)$", DOCKERFILE, re.MULTILINE)
    assert volume and volume[1] == "/data"
    # The user's home is the volume: matplotlib's cache goes elsewhere, built into the image.
    assert "--home-dir /data" in DOCKERFILE
    mpl = re.search(r"MPLCONFIGDIR=(\S+)", DOCKERFILE)
    assert mpl and not mpl[1].startswith("/data")
    uid = re.search(r"useradd --system --uid (\d+) --gid (\d+)", DOCKERFILE)
    assert uid and uid[1] == uid[2]
    assert f"sudo chown -R {uid[1]}:{uid[2]} /srv/bulletin-data" in README
    # Every package at its pinned version, the build backend included (-c does not reach it).
    assert "RUN PIP_CONSTRAINT=/app/constraints.txt pip install ." in DOCKERFILE
