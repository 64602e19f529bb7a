import os
import shutil


def chromium_path() -> str | None:
    """The system Chromium Playwright should drive (never a downloaded browser build)."""
    candidates = [os.environ.get("ANJU_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")
