"""A user's mistake in a notebook run (a bad period) reads as one clear line, with no traceback."""

from __future__ import annotations

import json

import papermill
import pytest

from perfkit.config import paths


def test_a_papermill_run_for_a_period_after_the_data_shows_the_message_alone(tmp_path):
    out = tmp_path / "report.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(str(paths.project_root() / "notebooks" / "authority_report.ipynb"), str(out),
                                   parameters={"authority": "990", "period": "2031-32 Q1"}, kernel_name="python3",
                                   progress_bar=False, log_output=False)
    assert raised.value.ename == "PeriodError"
    errors = [o for cell in json.loads(out.read_text())["cells"] for o in cell.get("outputs", [])
              if o["output_type"] == "error"]
    assert len(errors) == 1
    # the saved notebook (and its HTML) holds the message, no stack of perfkit's frames
    assert errors[0]["traceback"] == [
        "PeriodError: period 2031-32 Q1 is after the data of authority 990 end: expected a quarter from "
        "2018-19 Q1 to 2024-25 Q4"]
    assert "Traceback" not in str(raised.value) and "aggregates.py" not in str(raised.value)


def test_a_bug_still_shows_its_traceback():
    """Only a user's mistake is shortened: any other error keeps every frame for whoever debugs it."""
    from perfkit.errors import PerfkitError

    assert hasattr(PerfkitError("x"), "_render_traceback_")
    assert not hasattr(KeyError("x"), "_render_traceback_")
