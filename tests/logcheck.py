"""No personal number, password, OTP secret or tracking code in any log (SECURITY.md).

A pytest plugin (loaded by tests/conftest.py): one handler on the root logger, and on every
logger that does not pass its records up, keeps every record of the whole run. Each test fails
at teardown when a record emitted during it holds such a value, naming the record; at the end of
the run the records emitted outside any test are checked too, and the run fails when no record
was captured at all (a check that saw nothing proves nothing). Under xdist each worker reports its
counts to the controller, which decides.

`find_secrets(text)` is also what the fault and load tests run over the output of the server and
worker processes they start."""

import logging
import re
from dataclasses import dataclass

import pytest

from anju.demo import DEMO_PASSWORD
from tests.base import PASSWORD

# Every password the tests and the demo type in, right or wrong.
PASSWORDS = (DEMO_PASSWORD, PASSWORD, "Bamboo-River42x", "Wrong-pass-99")

# One-card (一卡通) accounts of the fixtures and the demo: UnionPay numbers, 16-19 digits from 62,
# alone or in groups of four.
_ACCOUNT = re.compile(r"(?<![0-9])62\d{2}(?:[ -]?\d{4}){3}(?:\d{1,3})?(?![0-9])")
# 18-digit resident ID numbers (the last character may be X).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# The portal's tracking codes: 16 characters of Crockford's base 32, in four groups or typed
# without the dashes (then at least one letter and one digit, so plain numbers do not count).
_CROCKFORD = "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]"
_TRACKING = re.compile(
    rf"(?<![0-9A-Za-z]){_CROCKFORD}{{4}}(?:-{_CROCKFORD}{{4}}){{3}}(?![0-9A-Za-z])"
)
_TRACKING_BARE = re.compile(
    rf"(?<![0-9A-Za-z-])(?=[0-9A-Za-z]*[A-Za-z])(?=[0-9A-Za-z]*[0-9]){_CROCKFORD}{{16}}"
    r"(?![0-9A-Za-z-])"
)
# TOTP secrets as authenticator apps get them: 32 characters of RFC 4648 base 32.
_OTP_SECRET = re.compile(r"(?<![0-9A-Za-z])[A-Z2-7]{32}(?![0-9A-Za-z])")

PATTERNS = (
    ("身份证号 ID number", _ID_NUMBER),
    ("一卡通账号 account number", _ACCOUNT),
    ("查询码 tracking code", _TRACKING),
    ("查询码 tracking code", _TRACKING_BARE),
    ("OTP 密钥 OTP secret", _OTP_SECRET),
)


def find_secrets(text: str) -> list[tuple[str, str]]:
    """(what, the value found) for every forbidden value in `text`."""
    found = [("密码 password", p) for p in PASSWORDS if p in text]
    for what, pattern in PATTERNS:
        found += [(what, match.group(0)) for match in pattern.finditer(text)]
    return found


_FORMAT = logging.Formatter("%(levelname)s %(name)s %(message)s")


@dataclass
class Captured:
    name: str
    level: str
    where: str
    text: str
    test: str

    def describe(self, found) -> str:
        values = "; ".join(f"{what}「{value}」" for what, value in found)
        first = self.text.splitlines()[0][:200] if self.text else ""
        return (
            f"日志记录含敏感值 {values} — logger {self.name!r} {self.level} at {self.where}"
            f" (test: {self.test or 'outside any test'}): {first}"
        )


class Capture(logging.Handler):
    """Keeps every record it is handed, formatted (message, arguments and traceback)."""

    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.records: list[Captured] = []
        self.test = ""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = _FORMAT.format(record)
        except Exception as error:  # a record that cannot format is still a record
            text = f"{record.msg!r} {record.args!r} ({error})"
        self.records.append(
            Captured(
                name=record.name,
                level=record.levelname,
                where=f"{record.pathname}:{record.lineno}",
                text=text,
                test=self.test,
            )
        )

    def attach(self) -> None:
        """On the root logger and on every logger that keeps its records to itself (Django's
        setup and `anju` commands run in tests reconfigure logging: attach again each test)."""
        loggers = [logging.getLogger()] + [
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]
        for logger in loggers:
            if self not in logger.handlers:
                logger.addHandler(self)


def offences(records: list[Captured]) -> list[str]:
    return [record.describe(found) for record in records if (found := find_secrets(record.text))]


CAPTURE = Capture()
# What this process saw: records checked, tests run, offences outside any test.
TOTALS = {"records": 0, "tests": 0, "offences": []}


def pytest_sessionstart(session):
    CAPTURE.attach()


@pytest.fixture(autouse=True)
def _logs_hold_no_secrets(request):
    CAPTURE.attach()
    CAPTURE.test = request.node.nodeid
    start = len(CAPTURE.records)
    yield
    CAPTURE.test = ""
    emitted = CAPTURE.records[start:]
    del CAPTURE.records[start:]  # checked here; a long run keeps only the count
    TOTALS["records"] += len(emitted)
    TOTALS["tests"] += 1
    if found := offences(emitted):
        pytest.fail("\n".join(found), pytrace=False)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: add up what each worker saw."""
    output = getattr(node, "workeroutput", {})
    TOTALS["records"] += output.get("log_records", 0)
    TOTALS["tests"] += output.get("log_tests", 0)
    TOTALS["offences"] += output.get("log_offences", [])


def pytest_sessionfinish(session, exitstatus):
    outside = CAPTURE.records[:]
    TOTALS["records"] += len(outside)
    TOTALS["offences"] += offences(outside)
    CAPTURE.records.clear()
    config = session.config
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller decides
        config.workeroutput["log_records"] = TOTALS["records"]
        config.workeroutput["log_tests"] = TOTALS["tests"]
        config.workeroutput["log_offences"] = TOTALS["offences"]
        return
    problems = list(TOTALS["offences"])
    # Only a run of many tests must have logged something (one small test may log nothing).
    if TOTALS["tests"] >= 200 and not TOTALS["records"]:
        problems.append(
            f"日志检查没有捕获到任何日志记录（{TOTALS['tests']} 个测试）：检查未生效。"
            " The log check captured no record at all."
        )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write("\n")
        reporter.write_line(
            f"log check: {TOTALS['records']} log records of {TOTALS['tests']} tests checked"
            " for ID numbers, account numbers, passwords, OTP secrets and tracking codes"
        )
        for problem in problems:
            reporter.write_line(problem, red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
