"""Records as tables: the parameters that tell them apart, a DataFrame, and HTML for notebooks.

:func:`differing_params` finds the dotted parameter paths whose values are not
the same in every listed record: they are the columns worth showing, in
``smttask records``, in :meth:`RecordStoreView.dataframe` and in the HTML a
notebook shows for a view or a record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from smttask.utils import format_duration

from . import params as _params

if TYPE_CHECKING:
    import pandas

    from .records import RecordView

#: Columns of :meth:`RecordStoreView.dataframe` unless others are asked for.
DEFAULT_FIELDS = ("timestamp", "task", "status", "duration", "reason", "outcome")
#: At most this many parameter columns are shown (the shortest paths first).
MAX_PARAM_COLUMNS = 6
#: Longest value shown in a table cell; longer ones end in "…".
CELL_WIDTH = 24


def differing_params(records: Sequence[RecordView], limit: int | None = MAX_PARAM_COLUMNS) -> list[str]:
    """Dotted parameter paths whose recorded value differs between *records* (absent counts as a value)."""
    if len(records) < 2:
        return []
    leaves = [dict(_params.flatten(r.parameters)) for r in records]
    paths = {p for leaf in leaves for p in leaf}
    differing = []
    for path in paths:
        values = {
            json.dumps(leaf[path], sort_keys=True, default=str) if path in leaf else "<absent>"
            for leaf in leaves
        }
        if len(values) > 1:
            differing.append(path)
    differing.sort(key=lambda p: (p.count("."), len(p), p))
    return differing[:limit] if limit is not None else differing


def param_text(record: RecordView, path: str, width: int = CELL_WIDTH) -> str:
    """The recorded value at *path* as short text ("" when the record has none)."""
    leaves = dict(_params.flatten(record.parameters))
    if path not in leaves:
        return ""
    value = leaves[path]
    if isinstance(value, dict) and "value" in value and len(value) <= 2:
        value = value["value"]  # a tagged value ({"$type": ..., "value": ...}): show the value
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def duration_text(seconds: float | None) -> str:
    """A record's duration as the run summary writes durations ("-" when unknown)."""
    return "-" if seconds is None else format_duration(seconds)


def field_value(record: RecordView, name: str) -> Any:
    """The :class:`RecordView` attribute *name* (``task`` is the task name, ``tags`` one string)."""
    if name == "task":
        return record.taskname
    if name == "tags":
        return ",".join(sorted(record.tags))
    return getattr(record, name)


def dataframe(
    records: Sequence[RecordView], fields: Sequence[str], params: Sequence[str] | bool
) -> pandas.DataFrame:
    """One row per record (indexed by label); see :meth:`RecordStoreView.dataframe`."""
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "RecordStoreView.dataframe() needs pandas: pip install 'smttask-sumatra[dataframe]'."
        ) from None
    if params is True:
        paths = sorted({p for r in records for p, _ in _params.flatten(r.parameters)})
    else:
        paths = list(params or ())
    rows = []
    for r in records:
        row = {f: field_value(r, f) for f in fields}
        row.update({p: r.param(p, None) for p in paths})
        rows.append(row)
    return pandas.DataFrame(
        rows,
        index=pandas.Index([r.label for r in records], name="label"),
        columns=[*fields, *paths],
    )


# --- HTML for notebooks -----------------------------------------------------------------
_STATUS_COLOURS = {"finished": "#2e7d32", "crashed": "#c62828", "killed": "#ef6c00", "running": "#0277bd"}


def records_html(records: Sequence[RecordView], *, title: str, more: int = 0) -> str:
    """A table of *records*: label, task, the differing parameters, duration, status, outputs."""
    paths = differing_params(records)
    head = ["label", "started", "task", *paths, "duration", "status", "outputs"]
    rows = []
    for r in records:
        cells = [
            f"<code>{escape(r.label)}</code>",
            escape(r.timestamp.astimezone().strftime("%Y-%m-%d %H:%M")),
            escape(r.taskname),
            *(escape(param_text(r, p)) for p in paths),
            escape(duration_text(r.duration)),
            _status_html(r.status),
            escape(", ".join(sorted({p.name for p in r.output_files.values()})) or "-"),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    footer = f"<p>… and {more} older record(s)</p>" if more else ""
    return (
        f"<div><p><b>{escape(title)}</b></p><table><thead><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody></table>{footer}</div>"
    )


def record_html(record: RecordView) -> str:
    """One record as a two-column table: what ran, how it ended, its parameters and files."""
    rows = [
        ("label", f"<code>{escape(record.label)}</code>"),
        ("task", escape(record.taskname)),
        ("status", _status_html(record.status)),
        ("started", escape(record.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S"))),
        ("duration", escape(duration_text(record.duration))),
        ("reason", escape(record.reason or "")),
        ("outcome", escape(record.outcome or "")),
        ("code version", f"<code>{escape(record.version or '')}</code>"),
    ]
    rows += [(f"input {p}", escape(param_text(record, p, width=80))) for p, _ in _params.flatten(record.parameters)]
    rows += [(f"output {name}", f"<code>{escape(str(path))}</code>") for name, path in record.output_files.items()]
    return (
        "<table>"
        + "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )


def _status_html(status: str) -> str:
    colour = _STATUS_COLOURS.get(status)
    text = escape(status)
    return f"<span style='color:{colour}'>{text}</span>" if colour else text
