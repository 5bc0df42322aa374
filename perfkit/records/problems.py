"""One way in which a file breaks the contract: where (file, column, row), the value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One way in which a file breaks the contract."""

    file: str
    message: str
    column: str | None = None
    row: int | None = None
    value: str | None = None
    more: int = 0
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = ("warning: " if self.severity == "warning" else "") + ", ".join(where)
        if self.value is not None:
            text += f": value {self.value!r}"
        text += f": {self.message}"
        if self.more:
            text += f" (and {self.more} more rows like it)"
        return text
