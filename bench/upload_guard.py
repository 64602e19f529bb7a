"""The cost of checking a spreadsheet's used area before reading it (anju.tabular.safety.
check_extent) beside the bare calamine read of the same file: `python -m bench.upload_guard`
(BENCH_GUARD_ROWS rows × 20 columns, default 100,000; medians of three runs)."""

import io
import os
import statistics
import tempfile
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings")
    import django

    django.setup()
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from anju.tabular.limits import limits_for
    from anju.tabular.safety import check_extent

    rows = int(os.environ.get("BENCH_GUARD_ROWS", "100000"))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "guard.xlsx")
        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet()
        for r in range(rows):
            for c in range(20):
                if c % 2:
                    sheet.write_number(r, c, r * 20 + c)
                else:
                    sheet.write_string(r, c, f"单元格{r}-{c}")
        book.close()
        with open(path, "rb") as handle:
            data = handle.read()
    guard, read = [], []
    for _ in range(3):
        began = time.perf_counter()
        check_extent(data, "xlsx", limits_for("households"))
        guard.append(time.perf_counter() - began)
        began = time.perf_counter()
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        read.append(time.perf_counter() - began)
    g, r = statistics.median(guard), statistics.median(read)
    print(
        f"{rows:,} rows × 20 columns, {len(data) / 1e6:.1f} MB: check_extent {g:.2f} s, "
        f"calamine read {r:.2f} s, ratio {g / r:.2f}"
    )


if __name__ == "__main__":
    main()
