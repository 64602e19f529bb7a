from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One bad cell of an imported file, printed as CONTRACT.md asks: `row N: column: message`."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass(frozen=True)
class RowWarning(RowError):
    """A row that is imported but looks wrong, printed as `row N: column: 警告 message`.
    `household`: the record on file it may duplicate, if any (offered for merging)."""

    household: int | None = None

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: 警告 {self.message}"
