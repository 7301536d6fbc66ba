"""Showing untrusted text (names read from task files, error messages) inside one message line.

A task file may name a module of megabytes, or put newlines and NUL bytes in a
name; echoed verbatim, one error would fill the terminal or forge lines of its
own. :func:`shown` gives a bounded, single-line, quoted form.
"""

from __future__ import annotations

#: Characters of an echoed value kept in a message (the rest is cut, with ``…``).
SHOWN_LIMIT = 200


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """*value* quoted for a message: at most *limit* characters of it, control characters escaped.

    Strings are cut before quoting, so the result is ``'abc…'`` with escapes such
    as ``\\n`` and ``\\x00`` in place of control characters; other values by their
    (cut) ``repr``.
    """
    if isinstance(value, str):
        return repr(value[:limit] + "…" if len(value) > limit else value)
    return one_line(_safe_repr(value), limit)


def one_line(text: str, limit: int = 2000) -> str:
    """*text* (e.g. an exception message) as one line: control characters escaped, cut to *limit*."""
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # a hostile or broken __repr__ must not hide the real error
        return f"<{type(value).__name__} object>"
