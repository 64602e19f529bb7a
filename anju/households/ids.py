"""Moved to the kernel: `anju.identity`. Kept so that code written before the move still imports;
new code imports `anju.identity`."""

from anju.identity import *  # noqa: F403
