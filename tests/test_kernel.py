"""The kernel a batch worker keeps for its reports: emptied between reports, replaced after a failure."""

from __future__ import annotations

import pytest

from perfkit.pipeline.kernels import WorkerKernel


def _names(kernel: WorkerKernel) -> set[str]:
    """The user's names in the kernel, read through a client of our own."""
    client = kernel.manager().blocking_client()
    client.start_channels()
    try:
        outputs = []
        client.execute_interactive(
            "print(sorted(n for n in get_ipython().user_ns if not n.startswith('_') and n not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))",
            output_hook=lambda msg: outputs.append(msg["content"].get("text", "")), timeout=60,
        )
    finally:
        client.stop_channels()
    return set(eval("".join(outputs)))


def _run(kernel: WorkerKernel, code: str) -> str:
    client = kernel.manager().blocking_client()
    client.start_channels()
    try:
        return client.execute_interactive(code, timeout=60)["content"]["status"]
    finally:
        client.stop_channels()


@pytest.fixture()
def kernel():
    kernel = WorkerKernel(env={"PERFKIT_TEST_SETTING": "set"})
    kernel.start("import polars")
    yield kernel
    kernel.shut_down()


def test_what_a_report_defined_is_gone_before_the_next(kernel):
    assert _names(kernel) == set()  # the names of the start-up imports are already forgotten
    assert _run(kernel, "authority = '990'\nfigures = [1, 2]") == "ok"
    assert {"authority", "figures"} <= _names(kernel)
    kernel.empty()
    assert _names(kernel) == set()
    assert _run(kernel, "import sys; assert 'polars' in sys.modules") == "ok"  # modules stay: the time saved


def test_the_kernel_has_the_environment_it_was_given(kernel):
    assert _run(kernel, "import os; assert os.environ['PERFKIT_TEST_SETTING'] == 'set'") == "ok"


def test_a_kernel_shut_down_is_replaced_by_a_new_one(kernel):
    first = kernel.manager()
    kernel.shut_down()
    assert not kernel.running
    second = kernel.manager()
    assert second is not first and kernel.running
    assert _names(kernel) == set()


def test_a_kernel_that_cannot_import_what_it_needs_fails_clearly():
    kernel = WorkerKernel()
    kernel.start("import a_module_that_does_not_exist")
    with pytest.raises(RuntimeError, match="did not start"):
        kernel.manager()
    assert not kernel.running


def test_the_clients_papermill_opens_are_closed_after_each_report(kernel, tmp_path):
    """Papermill leaves its client open on a kernel it does not own; left open, each would receive every later report."""
    import nbformat
    import papermill

    from perfkit.present.imports import without_iri_grammar

    without_iri_grammar()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("print(x)")]
    nbformat.write(notebook, tmp_path / "in.ipynb")
    opened = []
    for run in range(2):
        papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / f"out{run}.ipynb"), parameters={"x": run},
                                   kernel_name="python3", progress_bar=False, km=kernel.manager())
        opened += kernel.manager()._clients
        kernel.empty()
        assert kernel.manager()._clients == []
    assert len(opened) == 2 and not any(client.channels_running for client in opened)
    assert "1" in nbformat.read(tmp_path / "out1.ipynb", as_version=4).cells[-1].outputs[0]["text"]
