"""Showing user-supplied strings (file names, errors, labels) on a terminal, harmlessly.

A file name may carry rich markup (`[red]`, `[link=…]`) or terminal control sequences (ESC,
a clear-screen, a bidi override that reverses what follows). Everything printed that came
from outside goes through `shown` (for rich output) or `plain` (for click and logs): control
and bidi-formatting characters become visible escapes such as `\\x1b`, and markup is escaped.
"""
from __future__ import annotations

import re

from rich.markup import escape

# C0 controls, DEL, C1 controls, and the Unicode bidi/format controls that reorder text.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """The string with every control character shown as an escape (for click, logs)."""
    return _CONTROLS.sub(_visible, str(value))


def shown(value: object) -> str:
    """`plain`, with rich markup escaped too (for anything rich renders: print, tables)."""
    return escape(plain(value))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def json_text(text: str) -> str:
    """JSON text with the controls json.dumps leaves raw (DEL, C1, bidi) as \\u escapes: still
    valid JSON, and harmless on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
