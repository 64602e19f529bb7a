"""Prove that the hash locks are complete: every requirement of every locked package is pinned.

`make` installs the locks with `pip install --require-hashes --no-deps`, so pip never resolves and
no newer upstream release can change what is installed. The price is that pip no longer notices
a lock that lacks something: this check does, with no network. For every package pinned in the
locks (whose marker applies here) it reads the installed package's own requirements, evaluates
their markers with the extras that any locked package (or our own ``*.in`` files) asks of it, and
checks that each required package is pinned too, at a version the requirement accepts.

    python -m tests.lock_check [requirements.lock requirements-dev.lock]

Exit status 1 and one line per missing or mismatched pin when the locks are incomplete.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?\s*$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    marker: Marker | None

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_pins(texts: Iterable[str]) -> dict[str, Pin]:
    """The `name==version [; marker]` lines of lock files (hash and comment lines skipped)."""
    pins: dict[str, Pin] = {}
    for text in texts:
        for line in text.splitlines():
            match = PIN.match(line)
            if not match:
                continue
            name = canonicalize_name(match.group(1))
            marker = Marker(match.group(3)) if match.group(3) else None
            pins[name] = Pin(name, Version(match.group(2)), marker)
    return pins


def read_roots(texts: Iterable[str]) -> list[Requirement]:
    """The requirements our own `.in` files and pyproject ask for (extras included)."""
    roots = []
    for text in texts:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            roots.append(Requirement(line))
    return roots


def _requires(name: str) -> list[Requirement]:
    try:
        return [Requirement(r) for r in metadata.requires(name) or []]
    except metadata.PackageNotFoundError:
        return []


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": extra}) for extra in extras | {""})


def problems(pins: dict[str, Pin], roots: list[Requirement]) -> list[str]:
    """What the locks lack: one line per unpinned requirement or pin outside its range."""
    found: list[str] = []
    for pin in pins.values():
        if not pin.applies():
            continue
        try:
            installed = Version(metadata.version(pin.name))
        except metadata.PackageNotFoundError:
            found.append(f"{pin.name}=={pin.version} 已锁定但未安装 (locked, not installed)")
            continue
        if installed != pin.version:
            found.append(f"{pin.name}: 锁定 {pin.version}，安装的是 {installed}")
    # Extras asked of each package, by our own files and by every locked package, to a fixpoint.
    wanted: dict[str, set[str]] = {name: set() for name, pin in pins.items() if pin.applies()}
    queue: list[tuple[str, Requirement]] = [("requirements *.in", r) for r in roots]
    seen: set[tuple[str, str, frozenset[str]]] = set()
    for name in list(wanted):
        queue.extend((name, r) for r in _requires(name))
    while queue:
        asker, req = queue.pop()
        key = (asker, str(req), frozenset(wanted.get(asker, set())))
        if key in seen:
            continue
        seen.add(key)
        if not _applies(req, wanted.get(asker, set())):
            continue
        name = canonicalize_name(req.name)
        pin = pins.get(name)
        label = f"{req.name}[{','.join(sorted(req.extras))}]" if req.extras else req.name
        if pin is None or not pin.applies():
            found.append(f"{asker} 需要 {req} —— 锁文件中没有 {label} (not pinned)")
            continue
        if req.specifier and not req.specifier.contains(pin.version, prereleases=True):
            found.append(f"{asker} 需要 {req} —— 锁定的是 {name}=={pin.version}")
        new = set(req.extras) - wanted.setdefault(name, set())
        if new:
            wanted[name] |= new
            queue.extend((name, r) for r in _requires(name))
    return sorted(set(found))


def main(argv: list[str]) -> int:
    locks = [Path(a) for a in argv] or [ROOT / "requirements.lock", ROOT / "requirements-dev.lock"]
    sources = [ROOT / "requirements.in", ROOT / "requirements-dev.in"]
    pins = read_pins(p.read_text(encoding="utf-8") for p in locks)
    roots = read_roots(p.read_text(encoding="utf-8") for p in sources if p.exists())
    missing = problems(pins, roots)
    for line in missing:
        print(f"锁文件不完整 (lock incomplete): {line}", file=sys.stderr)
    if missing:
        return 1
    print(f"锁文件完整：{len(pins)} 个锁定的包，其依赖（含 extras）均已锁定。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
