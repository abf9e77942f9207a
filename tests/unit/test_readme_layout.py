"""The README's layout section is the tree: every folder it names exists, and every
top-level folder and every feature package of ``enforcement/`` is named."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layout() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Layout"):]
    block = section.split("```", 2)[1]
    names, parents = [], []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)\s", line + " ")
        if not match or not (match.group(2).endswith("/") or "." in match.group(2)):
            continue
        depth = len(match.group(1)) // 2
        parents[depth:] = [match.group(2)]
        names.append("".join(parents[:depth + 1]))
    return names


def _tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    return {f.split("/", 1)[0] + "/" for f in files if "/" in f and not f.startswith(".")}


def test_every_folder_the_layout_names_exists() -> None:
    missing = [name for name in _layout() if not (ROOT / name).exists()]
    assert not missing


def test_the_layout_names_every_top_level_folder_and_feature_package() -> None:
    named = set(_layout())
    features = {f"enforcement/{p.name}/" for p in (ROOT / "enforcement").iterdir()
                if (p / "__init__.py").exists()}
    assert _tracked_folders() - named == set()
    assert features - named == set()
