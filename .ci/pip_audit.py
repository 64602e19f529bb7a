"""pip-audit over both locks, honest about what it could not check.

Fails (exit 1) on any known vulnerability the service reports. When the vulnerability service
cannot be reached, or answers for only some of the pinned packages (a mirror without PyPI's
per-version JSON, for one), it says plainly which packages went unaudited and exits 0: "no known
vulnerabilities" over packages nobody checked is not a clean result, and is not reported as one."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
LOCKS = ["requirements.lock", "requirements-dev.lock"]


def audit(lock: str) -> tuple[list, list, str]:
    """(vulnerable, unaudited, failure) for one lock file; failure when nothing was audited."""
    done = subprocess.run(  # noqa: S603 (our own venv's pip-audit on our own lock files)
        [
            str(PIP_AUDIT),
            "-r",
            lock,
            "--require-hashes",
            "--disable-pip",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [], [], f"pip-audit did not finish ({done.returncode}): {tail}"
    deps = report["dependencies"]
    vulnerable = [d for d in deps if d.get("vulns")]
    unaudited = [d for d in deps if "skip_reason" in d]
    return vulnerable, unaudited, "" if len(unaudited) < len(deps) else "no package answered"


def main() -> int:
    found = False
    for lock in LOCKS:
        vulnerable, unaudited, failure = audit(lock)
        if failure:
            print(
                f"pip-audit {lock}: NOT AUDITED — the vulnerability service could not be used "
                f"from here ({failure}; {len(unaudited)} packages unchecked). This is no clean "
                "result: run .ci/pip_audit.py where PyPI's JSON API or OSV answers."
            )
            continue
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
                print(f"pip-audit {lock}: {dep['name']} {dep['version']}: {vuln['id']} ({fixed})")
            found = True
        if unaudited:
            names = ", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in unaudited)
            print(
                f"pip-audit {lock}: {len(unaudited)} packages NOT AUDITED (the service gave no "
                f"answer for them, so no result, clean or not): {names}"
            )
        if not vulnerable:
            print(f"pip-audit {lock}: no known vulnerability in the packages that were audited")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
