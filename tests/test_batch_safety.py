"""The batch is safe to publish from (issue #15): faults that must not leak, mix or outlive it.

Each test here failed on the batch as it was before these safeguards:

1. authority codes are three-digit LA numbers, or the batch refuses to start;
2. one batch at a time writes into a reports folder;
3. workers and kernels die with the batch, even with ``kill -9`` (``prctl`` on Linux, a
   watching thread elsewhere), and SIGTERM stops them and cleans up;
4. aggregates (unsuppressed figures) live in a private scratch folder inside
   the output folder, gone on every exit, and leftovers of a killed run are
   removed by the next;
5. one authority's unreadable file fails that authority alone;
6. the index page withholds record values however they are quoted;
7. analyst reports never land in the member reports folder.

The tests that run the batch as a command (items 2 and 3, and SIGTERM) read
``/proc`` to find its worker and kernel processes, so they need Linux. They hold
the batch still (SIGSTOP) at the moment that matters, so that they do not
depend on how fast the machine is.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from perfkit.cli import main
from perfkit.config import paths
from perfkit.errors import ContractError
from perfkit.pipeline.batch import run_batch
from perfkit.pipeline.index_page import index_html, withhold_values
from perfkit.pipeline.jobs import Outcome
from perfkit.records.problems import Problem

PERIOD = "2023-24 Q3"
"""The quarter of the in-process batches, on the small synthetic data of ``conftest.small_data``."""
EMBEDDED_PERIOD = "2024-25 Q4"
"""The quarter of the batches run as a command, on the embedded data (``data/``, ``parameters/authorities/``)."""
EXIT_BUSY = 75

on_linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc (Linux)")


# -- helpers ---------------------------------------------------------------------------------------------------


def _parameters(folder: Path, settings: dict[str, tuple[Path, str]]) -> Path:
    """A parameters folder: ``{file stem: (data folder, audience)}``; the stem's first three characters name the authority."""
    folder.mkdir(parents=True)
    for stem, (data_dir, audience) in settings.items():
        (folder / f"{stem}.yaml").write_text(
            f'authority: "{stem[:3]}"\nname: Test {stem}\ndata_dir: "{data_dir}"\naudience: {audience}\n', encoding="utf-8"
        )
    return folder


def _members(folder: Path, authorities: dict[str, Path]) -> Path:
    return _parameters(folder, {la: (data, "members") for la, data in authorities.items()})


def _broken_copy(source: Path, target: Path, authority: str, value: str) -> Path:
    """The dataset with one of ``authority``'s referral dates replaced by ``value``."""
    shutil.copytree(source, target)
    referrals = pl.read_parquet(target / "referrals.parquet")
    (target / "referrals.parquet").unlink()
    first = (pl.col("la_code") == authority).arg_true().first()
    broken = referrals.with_columns(pl.col("referral_date").cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == first).then(pl.lit(value)).otherwise(pl.col("referral_date")).alias("referral_date")
    )
    broken.write_csv(target / "referrals.csv")
    return target


def _scratch_entries(out: Path) -> list[Path]:
    area = out / ".scratch"
    return sorted(area.iterdir()) if area.exists() else []


def _stat(pid: int) -> tuple[int, str, str] | None:
    """``(parent pid, state, start time)`` of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return int(fields[1]), fields[0], fields[19]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(root: int) -> dict[int, tuple[str, str]]:
    """Every live descendant of ``root``: ``{pid: (start time, command line)}``."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None and stat[1] != "Z":
            parents.setdefault(stat[0], []).append(int(entry.name))
            starts[int(entry.name)] = stat[2]
    found, queue = {}, [root]
    while queue:
        for child in parents.get(queue.pop(), []):
            found[child] = (starts[child], _cmdline(child))
            queue.append(child)
    return found


def _alive(pid: int, start: str) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] != "Z" and stat[2] == start


def _workers(family: dict[int, tuple[str, str]]) -> list[int]:
    return [pid for pid, (_, cmd) in family.items() if "spawn_main" in cmd]


def _kernels(family: dict[int, tuple[str, str]]) -> list[int]:
    return [pid for pid, (_, cmd) in family.items() if "ipykernel" in cmd]


def _signal(family: dict[int, tuple[str, str]], sig: int) -> None:
    for pid, (start, _) in family.items():
        if _alive(pid, start):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _start_batch(out: Path, tmp: Path, log: str) -> subprocess.Popen:
    """``perfkit batch`` on the embedded data and its four authorities, its temporary files in ``tmp``."""
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    with open(out.parent / f"{log}.out", "wb") as stdout, open(out.parent / f"{log}.err", "wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "perfkit.cli", "batch", "--period", EMBEDDED_PERIOD, "--out", str(out), "--workers", "2"],
            cwd=paths.project_root(), env=env, stdout=stdout, stderr=stderr,
        )


def _wait_for(condition, what: str, process: subprocess.Popen | None = None, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := condition()):
            return found
        if process is not None and process.poll() is not None:
            pytest.fail(f"the batch ended (status {process.returncode}) before {what}")
        time.sleep(0.01)
    pytest.fail(f"waited {timeout} s for {what}")


def _reports_running(out: Path, tmp: Path) -> list[Path]:
    """The folders of reports being executed, wherever the batch keeps them."""
    return list(tmp.glob("perfkit-run-*")) + list(out.glob(".scratch/*/perfkit-run-*"))


def _end(process: subprocess.Popen, family: dict[int, tuple[str, str]]) -> None:
    """Whatever a test left of the processes it started: continued and killed."""
    _signal(family, signal.SIGCONT)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)
        process.kill()
        process.wait()
    _signal(family, signal.SIGKILL)


# -- 1. authority codes -----------------------------------------------------------------------------------------


def test_an_authority_code_is_three_ascii_digits_or_refused_saying_where_it_came_from():
    from perfkit.config.la_codes import AuthorityCodeError, la_code

    assert la_code("990", "990.yaml, key 'authority'") == "990"
    assert la_code(886, "990.yaml, key 'authority'") == "886"  # YAML reads an unquoted 886 as a number
    for bad in ["99", "9900", "990\n", " 990", "\u0669\u0669\u0660", "../990", "../../x990", "<b>990</b>", "", None, True, 99, 9.9, ["990"]]:
        with pytest.raises(AuthorityCodeError) as raised:
            la_code(bad, "params/990.yaml, key 'authority'")
        assert isinstance(raised.value, ValueError)
        message = str(raised.value)
        assert "params/990.yaml, key 'authority'" in message and repr(bad) in message, message
        assert "three-digit LA number" in message and "\n" not in message


@pytest.mark.parametrize("file_name, authority", [
    ("990.yaml", '"../../x990"'),  # a path: the report would be written outside --out
    ("<img src=x onerror=alert(1)>.yaml", None),  # markup as the file name, used as the code
    ("991.yaml", '"991\\n"'),  # ^\d{3}$ with re.match lets a trailing newline through
])
def test_a_parameters_file_with_a_bad_authority_code_stops_the_batch_before_it_writes(small_data, tmp_path, file_name, authority):
    parameters = tmp_path / "params"
    parameters.mkdir()
    (parameters / file_name).write_text((f"authority: {authority}\n" if authority else "") + f'name: Bad\ndata_dir: "{small_data}"\n',
                                        encoding="utf-8")
    out = tmp_path / "a" / "b" / "reports"
    with pytest.raises(ValueError) as raised:
        run_batch(PERIOD, out_dir=out, workers=1, progress=False, parameters=parameters)
    assert type(raised.value).__name__ == "AuthorityCodeError"
    message = str(raised.value)
    assert file_name in message and ("key 'authority'" in message if authority else "file name" in message), message
    assert not list(tmp_path.rglob("*.html"))


@pytest.mark.parametrize("argv", [
    ["batch", "--authority", "../../x990"],
    ["measures", "--data", "DATA", "--authority", "<b>990</b>", "--period", PERIOD],
    ["benchmarks", "--authority", "99", "--year", "2025"],
    ["import", "--ssda903", "DATA", "--out", "OUT", "--la", "886\n"],
])
def test_the_command_line_refuses_a_bad_authority_code_in_one_line(argv, tmp_path, capsys):
    argv = [{"DATA": str(tmp_path), "OUT": str(tmp_path / "out")}.get(a, a) for a in argv]
    if argv[0] == "batch":
        argv += ["--out", str(tmp_path / "reports"), "--parameters", str(tmp_path / "none")]
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "three-digit LA number" in error, error
    assert error.startswith(f"perfkit {argv[0]}: --"), error
    assert not (tmp_path / "reports").exists() and not (tmp_path / "out").exists()


# -- 2. one batch at a time in a reports folder -----------------------------------------------------------------


@on_linux
def test_a_second_batch_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    """Two real processes: the first is held still (SIGSTOP) once its workers exist, the second is refused at once."""
    out = tmp_path / "reports"
    out.mkdir()
    first = _start_batch(out, tmp_path / "tmp", "first")
    family: dict[int, tuple[str, str]] = {}
    try:
        _wait_for(lambda: _workers(_descendants(first.pid)), "the first batch's workers to start", first)
        os.kill(first.pid, signal.SIGSTOP)
        family = _descendants(first.pid)
        _signal(family, signal.SIGSTOP)
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "perfkit.cli", "batch", "--period", EMBEDDED_PERIOD, "--out", str(out)],
            cwd=paths.project_root(), capture_output=True, text=True, timeout=300,
            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
        )
        refused_in = time.monotonic() - started
        assert second.returncode == EXIT_BUSY, (second.returncode, second.stderr[-2000:])
        assert second.stderr.count("\n") == 1, second.stderr
        assert str(out) in second.stderr and f"pid {first.pid}" in second.stderr, second.stderr
        assert refused_in < 30
        assert not list(out.rglob("*.html"))  # the first is held still; the second wrote nothing
        os.kill(first.pid, signal.SIGCONT)
        _signal(family, signal.SIGCONT)
        assert first.wait(timeout=300) == 0, (out.parent / "first.err").read_text()[-2000:]
        assert sorted(p.name for p in (out / "2024-25-Q4").glob("*.html")) == ["990.html", "991.html", "992.html", "993.html", "index.html"]
    finally:
        _end(first, family)


# -- 3. workers and kernels die with the batch ------------------------------------------------------------------


@on_linux
def test_workers_and_kernels_die_with_the_batch_killed_by_sigkill_and_write_nothing_after(tmp_path):
    """kill -9 of the batch while its workers run reports (the batch and its processes held still meanwhile, so
    that nothing is missed): within seconds no worker or kernel is left, and no report appears afterwards."""
    out = tmp_path / "reports"
    out.mkdir()
    tmp = tmp_path / "tmp"
    batch = _start_batch(out, tmp, "killed")
    family: dict[int, tuple[str, str]] = {}
    try:
        _wait_for(lambda: _reports_running(out, tmp), "a report to start", batch)
        os.kill(batch.pid, signal.SIGSTOP)
        family = _descendants(batch.pid)
        _signal(family, signal.SIGSTOP)
        assert _workers(family) and _kernels(family), family
        before = set(out.rglob("*.html"))
        batch.kill()
        batch.wait()
        killed = time.monotonic()
        _signal(family, signal.SIGCONT)  # held still, they would never do anything: let them go on if they can
        while time.monotonic() - killed < 10 and any(_alive(pid, start) for pid, (start, _) in family.items()):
            time.sleep(0.01)
        left = {pid: cmd for pid, (start, cmd) in family.items() if _alive(pid, start)}
        assert not left, f"alive {time.monotonic() - killed:.1f} s after kill -9: {left}"
        print(f"every worker and kernel gone {time.monotonic() - killed:.2f} s after kill -9")
        time.sleep(3)
        assert set(out.rglob("*.html")) == before
    finally:
        _end(batch, family)


CHILD = """
import sys, time
if sys.argv[1] != "native":
    sys.platform = sys.argv[1]  # as on a system without prctl
from perfkit.pipeline.kernels import die_with_parent
print(die_with_parent(), flush=True)
time.sleep(120)
"""
PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE, text=True)
print(child.pid, child.stdout.readline().strip(), flush=True)
child.wait()
"""


@on_linux
@pytest.mark.parametrize("platform, how", [("native", "prctl"), ("darwin", "watchdog")])
def test_a_process_tied_to_its_parent_dies_with_it_with_prctl_or_without(platform, how):
    """What workers and kernels do (:func:`perfkit.pipeline.kernels.die_with_parent`): prctl on Linux, else a watching thread."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, platform], stdout=subprocess.PIPE, text=True,
                              cwd=paths.project_root())
    child = None
    try:
        pid, tied = parent.stdout.readline().split()
        child = int(pid)
        assert tied == how
        start = _stat(child)[2]
        parent.kill()
        parent.wait()
        killed = time.monotonic()
        while _alive(child, start) and time.monotonic() - killed < 5:
            time.sleep(0.005)
        assert not _alive(child, start)
        print(f"{how}: the child died {time.monotonic() - killed:.3f} s after its parent")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if child is not None and _stat(child) is not None and _stat(child)[1] != "Z":
            os.kill(child, signal.SIGKILL)


# -- 4. the scratch folder --------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_aggregates_are_kept_in_a_private_scratch_folder_inside_the_output_and_removed(small_data, tmp_path, monkeypatch):
    import perfkit.pipeline.batch as batch

    seen = {}
    real = batch.run_reports

    def watched(jobs, period, scratch, *args, **kwargs):
        outcomes = real(jobs, period, scratch, *args, **kwargs)
        seen.update(scratch=scratch, modes=(_mode(scratch), _mode(scratch.parent)),
                    files={p.name for p in scratch.rglob("*")})
        return outcomes

    monkeypatch.setattr(batch, "run_reports", watched)
    out = tmp_path / "reports"
    _, outcomes = run_batch(PERIOD, out_dir=out, workers=1, progress=False, parameters=_members(tmp_path / "params", {"990": small_data}))
    assert [o.ok for o in outcomes] == [True]
    assert seen["scratch"].parent == out / ".scratch"
    assert seen["modes"] == (0o700, 0o700)
    assert "measures.parquet" in seen["files"]  # the unsuppressed aggregates were there
    assert not seen["scratch"].exists() and _scratch_entries(out) == []


@pytest.mark.parametrize("fault", [RuntimeError("a fault in the batch"), KeyboardInterrupt()])
def test_nothing_is_left_in_the_scratch_folder_after_a_failed_or_interrupted_run(small_data, tmp_path, monkeypatch, fault):
    import perfkit.pipeline.batch as batch

    seen = {}

    def failing(jobs, period, scratch, *args, **kwargs):
        (scratch / "data-0-0").mkdir()
        (scratch / "data-0-0" / "measures.parquet").write_bytes(b"counts of 1 and 2")
        seen["scratch"] = scratch
        raise fault

    monkeypatch.setattr(batch, "run_reports", failing)
    out = tmp_path / "reports"
    with pytest.raises(type(fault)):
        run_batch(PERIOD, out_dir=out, workers=1, progress=False, parameters=_members(tmp_path / "params", {"990": small_data}))
    assert seen["scratch"].parent == out / ".scratch"
    assert not seen["scratch"].exists() and _scratch_entries(out) == []


def test_leftovers_of_a_killed_run_are_removed_by_the_next(small_data, tmp_path):
    out = tmp_path / "reports"
    killed = out / ".scratch" / "run-killed"
    (killed / "data-0-0").mkdir(parents=True)
    (killed / "data-0-0" / "measures.parquet").write_bytes(b"counts of 1 and 2")
    (killed / "perfkit-run-x").mkdir()
    (killed / "perfkit-run-x" / "990.ipynb").write_text("{}")
    _, outcomes = run_batch(PERIOD, out_dir=out, workers=1, progress=False, parameters=_members(tmp_path / "params", {"990": small_data}))
    assert [o.ok for o in outcomes] == [True]
    assert not killed.exists() and _scratch_entries(out) == []


@on_linux
def test_sigterm_stops_the_workers_and_removes_the_scratch(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    tmp = tmp_path / "tmp"
    batch = _start_batch(out, tmp, "terminated")
    family: dict[int, tuple[str, str]] = {}
    try:
        _wait_for(lambda: _reports_running(out, tmp), "a report to start", batch)
        family = _descendants(batch.pid)
        batch.send_signal(signal.SIGTERM)
        assert batch.wait(timeout=60) == 128 + signal.SIGTERM, (out.parent / "terminated.err").read_text()[-2000:]
        ended = time.monotonic()
        while time.monotonic() - ended < 10 and any(_alive(pid, start) for pid, (start, _) in family.items()):
            time.sleep(0.01)
        assert not {pid: cmd for pid, (start, cmd) in family.items() if _alive(pid, start)}
        reports = set(out.rglob("*.html"))
        time.sleep(2)
        assert set(out.rglob("*.html")) == reports
        assert _scratch_entries(out) == []
        assert not list(tmp.glob("perfkit-aggregates-*")) and not list(tmp.glob("perfkit-run-*"))
    finally:
        _end(batch, family)


# -- 5. an unreadable file fails its authority alone ------------------------------------------------------------


def test_an_unreadable_file_in_one_authoritys_data_fails_that_authority_alone(small_data, tmp_path):
    unreadable = tmp_path / "unreadable"
    shutil.copytree(small_data, unreadable)
    (unreadable / "referrals.parquet").unlink()
    (unreadable / "referrals.csv").mkdir()  # a folder where a file should be
    parameters = _members(tmp_path / "params", {"990": small_data, "991": unreadable})
    out = tmp_path / "reports"
    status = main(["batch", "--period", PERIOD, "--out", str(out), "--parameters", str(parameters), "--workers", "2"])
    assert status == 1
    folder = out / "2023-24-Q3"
    assert (folder / "990.html").exists() and not (folder / "991.html").exists()
    index = (folder / "index.html").read_text()
    assert 'href="990.html"' in index and "1 of 2 reports produced" in index
    failed = index[index.index("Test 991"):]
    assert "Failed" in failed and "referrals.csv" in failed and "directory" in failed
    assert _scratch_entries(out) == []


# -- 6. record values withheld from the index page --------------------------------------------------------------


VALUES = [
    "C990-ZQXA01",  # plain: repr in single quotes
    "C990-O'ZQXB",  # an apostrophe: repr in double quotes
    'say "ZQXC"',  # double quotes: repr in single quotes
    "both ' and \" ZQXD",  # both kinds: repr in single quotes, the apostrophe escaped
    "ZQXE \\ back'slash\"",  # a backslash and both quotes
    "ZQXF\nnext line",  # a newline: escaped by repr
]


@pytest.mark.parametrize("value", VALUES)
def test_the_index_withholds_a_record_value_however_it_is_quoted(value):
    from perfkit.pipeline.index_page import public_reason

    error = ContractError([Problem("referrals.csv", "expected a date in ISO form YYYY-MM-DD", "referral_date", 7, value)])
    reason = f"ContractError: {error}"
    assert "ZQX" in reason
    assert "ZQX" not in withhold_values(reason) and "value withheld" in withhold_values(reason)
    built = public_reason(error)  # from the structured problem, not from its text
    assert "ZQX" not in built
    assert "referrals.csv, column 'referral_date', row 7: value withheld: expected a date in ISO form YYYY-MM-DD" in built
    for outcome in (Outcome("990", "Test", False, "/nowhere/990.html", 0.0, reason),
                    Outcome("990", "Test", False, "/nowhere/990.html", 0.0, reason, public_error=built)):
        page = index_html(PERIOD, [outcome])
        assert "ZQX" not in page and "value withheld" in page and "referral_date" in page


def test_quoted_values_are_withheld_in_any_failure_reason():
    reasons = [
        "x.csv, row 1: value 'ZQX1': bad",
        "x.csv, row 1: value \"O'ZQX2\": bad",
        "x.csv, row 1: value 'ZQX3 \\' \"': bad",
        "x.csv, row 1: value b'ZQX4': bad",
        "x.csv, row 1: value 'ZQX5 never closed",
        "could not parse `ZQX6` as a date",
    ]
    for reason in reasons:
        shown = withhold_values(reason)
        assert "ZQX" not in shown, (reason, shown)


def test_a_batch_index_withholds_a_value_holding_an_apostrophe(small_data, tmp_path):
    quoted = _broken_copy(small_data, tmp_path / "quoted", "991", "31/12/2023 O'ZQXNeil")
    _, outcomes = run_batch(PERIOD, out_dir=tmp_path / "reports", workers=1, progress=False,
                            parameters=_members(tmp_path / "params", {"990": quoted, "991": quoted}))
    assert [(o.authority, o.ok) for o in outcomes] == [("990", True), ("991", False)]
    assert "O'ZQXNeil" in outcomes[1].error  # the analyst is told in full (on the terminal)
    index = (tmp_path / "reports" / "2023-24-Q3" / "index.html").read_text()
    assert "ZQX" not in index and "value withheld" in index and "referral_date" in index


# -- 7. analyst reports apart --------------------------------------------------------------------------------


def test_analyst_reports_never_land_in_the_member_folder(small_data, tmp_path):
    out = tmp_path / "reports"
    parameters = _parameters(tmp_path / "params", {"990": (small_data, "members"), "991": (small_data, "analyst")})
    folder, outcomes = run_batch(PERIOD, out_dir=out, workers=2, progress=False, parameters=parameters)
    assert [(o.authority, o.ok) for o in outcomes] == [("990", True), ("991", True)], [o.error for o in outcomes]
    assert sorted(p.name for p in folder.iterdir()) == ["990.html", "index.html"]
    member_index = (folder / "index.html").read_text()
    assert "991" not in member_index and "analyst" not in member_index.lower()
    analyst = out / "analyst" / folder.name
    assert sorted(p.name for p in analyst.iterdir()) == ["991.html", "index.html"]
    analyst_index = (analyst / "index.html").read_text()
    assert "not for sharing" in analyst_index.lower() and 'href="991.html"' in analyst_index
    assert _mode(out / "analyst") == 0o700
