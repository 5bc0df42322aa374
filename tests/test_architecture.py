"""The rooms of the package and the arrows between them (docs/architecture.md), checked on every import.

Each module's imports (at the top or inside functions) are read from its
source; an arrow that the table below does not allow fails, naming both ends.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "perfkit"

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "config": {"errors"},
    "records": {"errors", "config"},
    "indicators": {"errors", "config", "records"},
    "formats": {"errors", "config", "records", "indicators"},
    "published": {"errors", "config", "indicators"},
    "present": {"errors", "config", "indicators", "published"},
    "pipeline": {"errors", "config", "records", "indicators", "published", "present"},
    "workbench": {"errors", "config", "records", "indicators", "present", "pipeline"},
    "synth": {"errors", "config", "records", "indicators", "formats"},
    "cli": {"errors", "config", "records", "indicators", "formats", "published", "present", "pipeline", "synth"},
    "__init__": {"errors", "config", "records", "indicators", "pipeline"},
}
"""Which rooms each room may import: config <- records <- indicators <- pipeline; present reads aggregates."""

PRESENT_MAY_USE = {"perfkit.indicators.catalogue", "perfkit.indicators.periods", "perfkit.indicators.targets",
                   "perfkit.indicators.significance",
                   "perfkit.indicators.rounding", "perfkit.indicators.labels", "perfkit.indicators.quality_checks",
                   # statistical process control: statistics over aggregated series, not the counting of records
                   "perfkit.indicators.spc", "perfkit.indicators.spc_rules", "perfkit.indicators.spc_attribute"}
"""What the views may take of the indicators: declarations, periods, targets and rounding, never the counting."""


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every perfkit module ``path`` imports, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("perfkit")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("perfkit") and node.level == 0:
            if node.module == "perfkit":
                found += [(node.lineno, f"perfkit.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        found.append((name, path))
    return found


def test_every_room_imports_only_the_rooms_below_it():
    wrong = []
    for name, path in modules():
        own = room_of(name) if name != "perfkit" else "__init__"
        for line, target in imports_of(path):
            other = room_of(target)
            if other == own or target == "perfkit":
                continue
            if other not in ALLOWED.get(own, set()):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} -> {other} ({target})")
            elif own == "present" and other == "indicators" and target not in PRESENT_MAY_USE:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: present computes ({target})")
    assert wrong == [], "arrows the architecture does not allow:\n" + "\n".join(wrong)


def test_the_check_finds_a_wrong_arrow(tmp_path):
    """The test above is not blind: an upward import is found."""
    module = tmp_path / "loading.py"
    module.write_text("def f():\n    from perfkit.pipeline.batch import run_batch\n")
    assert imports_of(module) == [(2, "perfkit.pipeline.batch")]
    assert "pipeline" not in ALLOWED["records"]


def test_every_room_is_known_and_documented():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    rooms |= {p.stem for p in PACKAGE.glob("*.py")}
    assert rooms <= set(ALLOWED), rooms - set(ALLOWED)
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for room in rooms - {"__init__"}:
        assert f"`{room}" in doc, room


def test_no_module_is_longer_than_600_lines():
    """A module holds one job: past some 600 lines it holds several."""
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}, long


def test_importing_the_facade_loads_no_heavy_library():
    import subprocess

    code = ("import sys, perfkit; perfkit.load_dataset; perfkit.compute; "
            "print(sorted(m for m in ('altair', 'nbconvert', 'papermill', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
