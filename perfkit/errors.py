"""perfkit's errors: what a user can put right (bad input, settings, published files), apart from bugs.

Every error here is a :class:`PerfkitError`; the command line reports these in
one line (exit status 2) and lets anything else, a bug, show as one. Each is
also a :class:`ValueError`, as the errors it replaced were.

>>> issubclass(ContractError, PerfkitError) and issubclass(SettingsFileError, SettingsError)
True
"""

from __future__ import annotations


class PerfkitError(ValueError):
    """Something the user can put right: the message says what, where and what was expected.

    In a notebook (JupyterLab, or a papermill run of the report) it shows as its
    message alone, with no traceback: a bad period or file is the user's to put
    right, not a bug to debug. IPython asks an exception for
    ``_render_traceback_`` before it formats one.

    >>> PeriodError("period 2031-32 Q1 is after the data")._render_traceback_()
    ['PeriodError: period 2031-32 Q1 is after the data']
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class ContractError(PerfkitError):
    """Records that do not meet the data contract; ``problems`` lists every finding (file, column, row, value).

    >>> import pickle
    >>> from perfkit.records.problems import Problem
    >>> str(pickle.loads(pickle.dumps(ContractError([Problem("a.csv", "bad")])))).splitlines()
    ['1 problem with the input data:', '  - a.csv: bad']
    """

    def __init__(self, problems: list):
        self.problems = problems
        count = len(problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} with the input data:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))

    def __reduce__(self):
        """Pickled with its problems (a batch's workers send it to the batch), not its message."""
        return type(self), (self.problems,)


class PeriodError(PerfkitError):
    """A period that is not of the form ``2022-23 Q2``, or that the data cannot support."""


class SettingsError(PerfkitError):
    """A parameters or settings file, or an option, that cannot be used as it is."""


class SettingsFileError(SettingsError):
    """A settings file (YAML) that cannot be read: the message names the file and the line, on one line."""


class AuthorityCodeError(SettingsError):
    """An authority code that is not a three-digit LA number; the message says where it came from."""

    EXPECTED = "a three-digit LA number such as '886'"

    def __init__(self, value: object, where: str) -> None:
        self.value, self.where = value, where
        super().__init__(f"{where}: authority code {value!r}: expected {self.EXPECTED}")

    def __reduce__(self):
        return type(self), (self.value, self.where)


class TargetsError(SettingsError):
    """A targets file whose entries cannot be used."""


class PublishedDataError(PerfkitError):
    """A published file that cannot be read as expected, or a figure it does not hold."""


class DisclosureError(PerfkitError):
    """Figures that cannot be published safely, or a disclosure threshold that protects nothing."""


class LedgerError(DisclosureError):
    """The record of what an authority's earlier reports published cannot be read: no report is made without it."""


class BatchBusy(PerfkitError):
    """Another batch is writing into the same output folder (the command line exits with status 75)."""
