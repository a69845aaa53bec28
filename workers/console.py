"""Consoles for the CLI: tables at their natural width when the output is not a terminal (a
log file, a pipe), and log records instead of prints in long-running processes."""
from __future__ import annotations

import logging

from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

UNWRAPPED = 100_000   # columns: wide enough that no line of ours is ever folded


def console(stderr: bool = False) -> Console:
    """rich wraps at 80 columns when it cannot ask a terminal; a file should get whole lines."""
    found = Console(stderr=stderr)
    return found if found.is_terminal else Console(stderr=stderr, width=UNWRAPPED, soft_wrap=True)


class LogConsole:
    """Stands in for a Console in the watcher: each `print` becomes one INFO log record, with
    the timestamp and format (text or JSON) of every other log line."""

    def __init__(self, name: str):
        self.log = logging.getLogger(name)

    def print(self, *objects, **_) -> None:
        self.log.info("%s", " ".join(_plain(o) for o in objects))


def _plain(obj) -> str:
    if not isinstance(obj, str):
        return str(obj)
    try:
        return Text.from_markup(obj).plain
    except MarkupError:
        return obj
