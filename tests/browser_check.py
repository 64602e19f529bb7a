"""Say plainly, before the suite runs, whether the browser tests can run here."""

import os
import sys

from tests.browser.chromium import chromium_path


def main() -> int:
    path = chromium_path()
    if path:
        print(f"浏览器测试：使用 Chromium {path}")
        return 0
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    print(
        "浏览器测试将被跳过：未找到 Chromium。"
        "启用方法：apt-get install chromium（或设置 ANJU_CHROMIUM=/path/to/chromium）。"
        "\nBrowser tests will be SKIPPED: no Chromium found. "
        "Enable them with `apt-get install chromium` or ANJU_CHROMIUM=/path/to/chromium.",
        file=sys.stderr,
    )
    if ci:
        print("CI=true: a missing browser fails the run.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
