"""docs/configuration.md's table of the application's settings, generated from the model in
``api/config.py`` so that the reference cannot drift from what the app accepts.

``python -m api.config_reference`` rewrites the table in place (``make config-docs``);
``--check`` exits 1 when the committed table differs (tests/unit/test_configuration_reference.py
does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.config import Config, accepts

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
BEGIN = ("<!-- generated from api/config.py by `python -m api.config_reference` "
         "(make config-docs): edit the model, not this table -->")
END = "<!-- end of the generated table -->"


def _default(name: str) -> str:
    field = Config.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "shown_default" in extra:
        return str(extra["shown_default"])
    return "empty" if field.default == "" else f"`{field.default}`"


def table() -> str:
    """The markdown table, one row per setting of the model, in the model's order."""
    rows = ["| variable | default | accepts | what it does |", "|---|---|---|---|"]
    for name, field in Config.model_fields.items():
        rows.append(f"| `{name}` | {_default(name)} | {accepts(name)} | {field.description} |")
    return "\n".join(rows)


def render(document: str) -> str:
    """``document`` with the text between the markers replaced by the current table."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print(f"{DOC} is out of date: run make config-docs", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
