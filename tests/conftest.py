"""The whole suite: every log record of the run is checked for secrets (tests/logcheck.py)."""

pytest_plugins = ["tests.logcheck"]
