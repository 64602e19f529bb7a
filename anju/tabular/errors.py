from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One bad cell of an imported file, printed as CONTRACT.md asks: `row N: column: message`."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"
