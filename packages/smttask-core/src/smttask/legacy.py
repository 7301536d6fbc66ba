"""Task files written by smttask 0.2, read so that they can be migrated to the current format.

smttask 0.2 wrote ``{"taskname", "module", "inputs", "reason"}``, its inputs
carrying their old digests and scityping's JSON (arrays as lists with a dtype,
or base85 of a zlib-compressed ``.npy``), upstream tasks nested inline, and
``generator_*`` fields for ``Create`` and ``Join``. :func:`task_from_legacy`
rebuilds the task it describes with the current API, under the same trust model
as a current task file: the modules it names are imported (the task's, and for
``Create`` the class's), nothing else is called. A function stored as source
code is refused, never executed. The new key is computed afresh; the old digest
is returned beside it, since the two hash different things.
"""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._optional import require_numpy
from .errors import MalformedTaskFileError, SmttaskError, TaskFileInputError
from .taskfile import (
    LEGACY_FIELDS,
    import_task_class,
    is_legacy_document,
    read_document,
    task_error_text,
)
from .text import one_line, shown

if TYPE_CHECKING:
    from .task import Task

_DIGEST_FIELDS = ("digest", "hashed_digest", "unhashed_digests")
_ARRAY_TYPES = ("scityping.numpy._ArrayType", "scityping.numpy.Array", "scityping.numpy.NPValue")
#: Bytes of a compressed array inflated to read its ``.npy`` header before the rest.
_HEADER_PEEK = 1 << 16


def task_from_legacy(source: str | Path | Mapping[str, Any]) -> tuple[Task, str | None]:
    """The task an smttask 0.2 task file describes, and the digest that file gave it."""
    label, document = read_document(source)
    if not is_legacy_document(document):
        raise MalformedTaskFileError(
            label, f"not a task file of smttask 0.2 (it has no {', '.join(LEGACY_FIELDS)} fields)"
        )
    inputs = document["inputs"]
    old = inputs.get("digest") if isinstance(inputs, dict) else None
    return _LegacyReader(label).task(document, "inputs"), old if isinstance(old, str) else None


class _LegacyReader:
    """Turns one 0.2 description (and the ones nested in it) into tasks."""

    def __init__(self, label: str) -> None:
        self.label = label

    def task(self, desc: dict[str, Any], where: str) -> Task:
        inputs = desc.get("inputs")
        if not isinstance(inputs, dict):
            raise MalformedTaskFileError(self.label, f"{where} must be a JSON object, got {shown(inputs)}")
        reason = desc.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise MalformedTaskFileError(self.label, f"the reason of {where} must be a string, got {shown(reason)}")
        values = {
            name: self.value(value, f"{where}.{name}")
            for name, value in inputs.items()
            if name not in _DIGEST_FIELDS
        }
        try:
            if "generator_function" in desc:
                return self.generated(desc, values, reason, where)
            cls = import_task_class(self.label, desc.get("module"), desc.get("taskname"))
            return cls(**values, reason=reason)
        except (SmttaskError, TypeError, ValueError) as exc:
            if isinstance(exc, MalformedTaskFileError | TaskFileInputError):
                raise
            raise TaskFileInputError(self.label, f"{where} cannot make a task: {task_error_text(exc)}") from None

    def generated(self, desc: dict[str, Any], values: dict[str, Any], reason: str | None, where: str) -> Task:
        from .generators import Create, Join

        function = desc.get("generator_function")
        if function == "JoinCreator":
            tasks = values.get("tasks")
            if set(values) != {"tasks"} or not isinstance(tasks, list):
                raise MalformedTaskFileError(self.label, f"the Join at {where} must have one input, a list 'tasks'")
            return Join(tasks, reason=reason)
        if function == "Create":
            cls, kwargs = values.get("obj_to_create"), values.get("kwargs")
            if set(values) != {"obj_to_create", "kwargs"} or not isinstance(cls, type) or not isinstance(kwargs, dict):
                raise MalformedTaskFileError(
                    self.label, f"the Create at {where} must have the inputs 'obj_to_create' (a type) and 'kwargs'"
                )
            return Create(cls)(**kwargs, reason=reason)
        raise MalformedTaskFileError(
            self.label,
            f"{where} was made by the generator {shown(function)}; smttask 0.2 had Create and JoinCreator only",
        )

    def value(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            if all(field in value for field in LEGACY_FIELDS):
                return self.task(value, where)
            return {key: self.value(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            if len(value) == 2 and isinstance(value[0], str) and value[0].startswith("scityping."):
                return self.typed(value[0], value[1], where)
            return [self.value(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return value

    def typed(self, name: str, payload: Any, where: str) -> Any:
        """A value scityping wrote as ``[type name, data]``: arrays, dtypes and types are migrated."""
        try:
            if name in _ARRAY_TYPES or name.startswith("scityping.numpy.Array["):
                return _legacy_array(_body(payload)["data"])
            if name == "scityping.numpy.DType":
                return _legacy_dtype(_body(payload))
            if name == "scityping.base_types.Type":
                return self.type(_body(payload), where)
        except (KeyError, IndexError, TypeError, ValueError, zlib.error) as exc:
            raise TaskFileInputError(
                self.label, f"{where}: malformed {name} data ({one_line(str(exc), 200)})"
            ) from None
        if name.startswith("scityping.functions."):
            raise TaskFileInputError(
                self.label,
                f"{where} is a function stored as source code ({name}), which smttask never executes: "
                "define the function in a module, mark it @PureFunction and create the task again",
            )
        raise TaskFileInputError(
            self.label, f"{where} holds a {name} value, which cannot be migrated; create the task again"
        )

    def type(self, body: dict[str, Any], where: str) -> type:
        from .serializers import resolve_class

        path = f"{body['module']}:{body['name']}"
        try:
            return resolve_class(path, object, what="a class", import_module=True)
        except SmttaskError as exc:
            raise TaskFileInputError(self.label, f"{where}: {task_error_text(exc)}") from None


def _body(payload: Any) -> dict[str, Any]:
    """The data of a scityping value: a dict, or ``[type, dict]`` for data classes."""
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], dict):
        payload = payload[1]
    if not isinstance(payload, dict):
        raise TypeError(f"expected an object, got {shown(payload)}")
    return payload


def _legacy_dtype(body: dict[str, Any]) -> Any:
    from .typing import plain_dtype

    desc = body["desc"]
    if not isinstance(desc, str):
        raise TypeError(f"a dtype is a string, got {shown(desc)}")
    return plain_dtype(require_numpy().dtype(desc))


def _legacy_array(data: Any) -> Any:
    """An array from scityping's ``[ListArrayData | CompressedArrayData, data]``."""
    np = require_numpy()
    kind, body = data[0], _body(data[1])
    if kind == "scityping.numpy.ListArrayData":
        dtype = _legacy_dtype(_body(body["dtype"][1]))
        return np.array(body["data"], dtype=dtype)
    if kind != "scityping.numpy.CompressedArrayData":
        raise ValueError(f"unknown array encoding {shown(kind)}")
    if body.get("encoding") != "b85":
        raise ValueError(f"unknown text encoding {shown(body.get('encoding'))}")
    compressed = base64.b85decode(body["data"])
    compression = body.get("compression")
    if compression == "zlib":
        return _npy_from_zlib(compressed)
    if compression == "none":
        return _npy(bytes(compressed))
    raise ValueError(
        f"compression {shown(compression)} is not supported; migrate this file where smttask 0.2 can load "
        "it and save it again with zlib compression"
    )


def _npy_from_zlib(compressed: bytes) -> Any:
    """Inflate a ``.npy`` image no further than its header says it is long: a small file cannot expand without bound."""
    inflater = zlib.decompressobj()
    head = inflater.decompress(compressed, _HEADER_PEEK)
    total = _npy_length(head)
    rest = inflater.decompress(inflater.unconsumed_tail, total - len(head) + 1) if total > len(head) else b""
    return _npy(head + rest)


def _npy_length(image: bytes) -> int:
    """Length in bytes of the ``.npy`` image starting with *image*, from its header."""
    from .typing import plain_dtype

    fmt = require_numpy().lib.format
    stream = io.BytesIO(image)
    version = fmt.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = fmt.read_array_header_1_0(stream)
    else:
        shape, _, dtype = fmt.read_array_header_2_0(stream)
    size = plain_dtype(dtype).itemsize
    for n in shape:
        size *= n
    return stream.tell() + size


def _npy(image: bytes) -> Any:
    if len(image) != _npy_length(image):
        raise ValueError(f"the array data is {len(image)} bytes, not the length its header gives")
    return require_numpy().load(io.BytesIO(image), allow_pickle=False)


__all__ = ["task_from_legacy"]
