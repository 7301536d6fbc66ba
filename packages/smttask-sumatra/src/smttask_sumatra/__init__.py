"""smttask-sumatra: recorded smttask tasks write a Sumatra lab book.

Importing the package stays light; :class:`RecordStoreView` and the recorder
load Sumatra and Django only when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0.dev0"

_LAZY = {
    "RecordStoreView": ("smttask_sumatra.view", "RecordStoreView"),
    "RecordView": ("smttask_sumatra.view", "RecordView"),
    "get_task_param": ("smttask_sumatra.records", "get_task_param"),
    "record_filter": ("smttask_sumatra.filters", "record_filter"),
    "SumatraRecorder": ("smttask_sumatra.recorder", "SumatraRecorder"),
    "SumatraSettings": ("smttask_sumatra.settings", "SumatraSettings"),
    "init_project": ("smttask_sumatra.initialize", "init_project"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'smttask_sumatra' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
