"""How much one file of each kind may hold: rows and columns of its sheet (or CSV), read from
the settings (ANJU_MAX_ROWS_<KIND>, ANJU_MAX_COLUMNS_<KIND>; docs/operations.md).

A spreadsheet's reader allocates its whole used area, rows × columns, at once: the caps are what
keeps one uploaded file from sizing that allocation (anju.tabular.safety checks them before any
reader opens the file)."""

from dataclasses import dataclass

# What each kind is called in a refusal.
KINDS = {"households": "农户档案", "lists": "部门名单", "reports": "报表"}


@dataclass(frozen=True)
class Limits:
    what: str  # the kind of file, as a refusal names it
    rows: int | None  # None: no cap (the demo's own generated files)
    columns: int | None

    def over(self, rows: int, columns: int) -> str | None:
        """The refusal for a sheet using `rows` × `columns`, None if it fits."""
        if (self.rows is None or rows <= self.rows) and (
            self.columns is None or columns <= self.columns
        ):
            return None
        return (
            f"表格过大：用到第 {rows:,} 行、第 {columns:,} 列，{self.what}每个文件最多 "
            f"{self.rows:,} 行、{self.columns:,} 列。请删去多余的空行空列，或分成几个文件上传。"
        )


NONE = Limits("文件", None, None)


def limits_for(kind: str) -> Limits:
    """The caps of one kind of file (households, lists, reports) from the settings."""
    from django.conf import settings

    rows, columns = settings.UPLOAD_LIMITS[kind]
    return Limits(KINDS[kind], rows, columns)


def max_errors() -> int:
    """How many row errors an import keeps (and shows); the total is counted on."""
    from django.conf import settings

    return settings.IMPORT_MAX_ERRORS
