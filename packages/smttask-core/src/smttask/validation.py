"""Validation helpers over pydantic: validators for annotations, and their errors in one line."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import ConfigDict, PydanticUserError, TypeAdapter, ValidationError

_CONFIG = ConfigDict(arbitrary_types_allowed=True)


def format_validation_error(error: ValidationError) -> str:
    """*error* as one line: each problem with where it is and the value given."""
    parts = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(x) for x in item["loc"])
        given = repr(item.get("input"))
        if len(given) > 60:
            given = given[:57] + "..."
        parts.append(f"{item['msg']}{' at ' + loc if loc else ''} (got {given})")
    return "; ".join(parts)


def make_adapter(annotation: Any) -> TypeAdapter:
    """A validator for *annotation* that accepts arbitrary classes as types."""
    try:
        return TypeAdapter(annotation, config=_CONFIG)
    except PydanticUserError:
        # A BaseModel/dataclass annotation carries its own config; pydantic refuses a second one.
        return TypeAdapter(annotation)


def type_name(annotation: Any) -> str:
    """A short readable name for the type *annotation* (its display name if it carries one)."""
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in annotation.__metadata__:
            name = getattr(meta, "display_name", None)
            if name:
                return name
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")
