"""The project's own rules: pinned and consistent environments, no logic in notebooks."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import nbformat
import yaml
from papermill.inspection import inspect_notebook

from perfkit.config import paths

ROOT = paths.project_root()


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins |= set(extra)
    return pins


def test_every_dependency_is_pinned_exactly():
    for pin in _pyproject_pins():
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", pin), pin


def test_environment_yml_matches_pyproject():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1
    pip = {p for p in pip_lists[0] if not p.startswith("-e")}
    assert {p.lower() for p in pip} == {p.lower() for p in _pyproject_pins()}
    python = [d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert python == ["python=3.11"]


def _code_cells(path: Path):
    notebook = nbformat.read(path, as_version=4)
    return [c for c in notebook.cells if c.cell_type == "code"]


def test_notebooks_hold_no_function_or_class_definitions():
    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in _code_cells(path):
            tree = ast.parse(cell.source)
            defined = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
            assert not defined, f"{path.name}: logic belongs in perfkit, not in a notebook cell:\n{cell.source}"


def test_notebooks_have_no_repeated_cells_and_no_stored_outputs():
    for path in sorted(paths.notebooks_dir().glob("*.ipynb")):
        sources = [c.source.strip() for c in _code_cells(path)]
        assert len(sources) == len(set(sources)), path.name
        assert all(not c.get("outputs") for c in _code_cells(path)), f"{path.name} is committed with outputs"


def test_report_notebook_parameters_are_all_seen_by_papermill():
    found = inspect_notebook(str(paths.notebooks_dir() / "authority_report.ipynb"))
    assert set(found) == {"authority", "period", "data_dir", "audience", "targets_file", "aggregates", "as_at"}


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\s*$", ci, re.MULTILINE)


def test_authority_parameter_files_name_their_authority():
    for path in sorted(paths.authorities_dir().glob("*.yaml")):
        settings = yaml.safe_load(path.read_text())
        assert str(settings["authority"]) == path.stem
        assert settings.get("name")


def test_readme_indicator_table_is_generated_from_the_catalogue():
    from perfkit.indicators.catalogue import markdown_table

    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- indicators:start -->\n", 1)[1].split("\n<!-- indicators:end -->", 1)[0]
    assert block == markdown_table(), "run `perfkit catalogue --update-readme README.md`"


def test_nbval_baselines_run_the_same_code_as_the_notebooks():
    """tests/notebooks/ holds executed copies whose stored outputs nbval checks; their code is the notebooks' code."""
    baselines = sorted((ROOT / "tests" / "notebooks").glob("*.ipynb"))
    assert {p.name for p in baselines} == {"authority_report.ipynb", "explorer.ipynb"}
    for baseline in baselines:
        source = [c.source for c in _code_cells(paths.notebooks_dir() / baseline.name)]
        stored = [c.source for c in _code_cells(baseline)]
        assert stored == source, f"run `make baselines`: {baseline.name} is out of date"
        assert any(c.get("outputs") for c in _code_cells(baseline))


def test_the_doctests_leave_the_test_environment_as_they_found_it():
    """The doctests run first (``perfkit`` before ``tests``): one that deleted ``PERFKIT_CHECK_CACHE`` sent every
    later test to the user's own cache. No docstring sets or deletes an environment variable outside a patch."""
    import os

    assert Path(os.environ["PERFKIT_CHECK_CACHE"]).name.startswith("perfkit-checks-")
    assert Path(os.environ["PERFKIT_PUBLISHED_CACHE"]).name.startswith("perfkit-published-")
    offending = [str(p) for p in (ROOT / "perfkit").rglob("*.py")
                 if re.search(r">>> .*(del os\.environ|os\.environ\[[^]]+\] *=)", p.read_text(encoding="utf-8"))]
    assert offending == []
