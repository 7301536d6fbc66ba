"""The :class:`Task` base class: a lazy, keyed call of a pure function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from .canonical import canonical_json
from .encoding import PLAIN_TYPES, digest_of, encode
from .engine import run_task
from .errors import TaskInputError, UnserializableValueError
from .hashes import blake2b
from .memory import MemoryEntry
from .project import current_project
from .signature import InputSpec
from .walk import is_task

if TYPE_CHECKING:
    from .explain import Explanation
    from .outputs import OutputSpec
    from .project import Project


class _TypeAttribute:
    """A read-only attribute computed from the class, whether read from the class or an instance."""

    def __init__(self, getter: Callable[[type], Any]) -> None:
        self.getter = getter
        self.__doc__ = getter.__doc__

    def __get__(self, instance: object, owner: type) -> Any:
        return self.getter(owner)


class Task:
    """A function call with validated inputs, identified by a key derived from them.

    Creating a task computes nothing; :meth:`run` returns the result, from the
    memory tier, from storage, or by computing it (upstream tasks first).
    Concrete task classes are made by the decorators (:func:`smttask.MemoizedTask`,
    :func:`smttask.RecordedTask`, ...).
    """

    __smttask_task__: ClassVar[bool] = True

    #: Name of the task (the decorated function's or class's qualified name).
    taskname: ClassVar[str]
    #: Module defining the task; a task file imports it (and nothing else) to rebuild the task.
    module_name: ClassVar[str]
    #: What identifies the task's code in its key: ``module:qualname`` or an explicit name.
    identity: ClassVar[str]
    #: Optional version string; changing it changes every key of this task.
    version: ClassVar[str | None] = None
    #: Keep results in the in-memory tier.
    cache: ClassVar[bool] = True
    #: Store results through the project's storage backend.
    store: ClassVar[bool] = False
    #: Write a lab-book record when computed.
    recorded: ClassVar[bool] = False
    #: The key derives from the output instead of the inputs.
    unpure: ClassVar[bool] = False
    #: The kind of task (``"RecordedTask"``, ``"MemoizedTask"``...): the decorator that made it.
    kind: ClassVar[str] = "Task"

    _inputs: ClassVar[InputSpec]
    _outputs: ClassVar[OutputSpec]
    _func: ClassVar[Callable[..., Any]]
    _is_method: ClassVar[bool] = False
    #: Cached per task type by `_make_key`: the constant end of the canonical key text.
    _key_tail: ClassVar[str]
    #: Per task type: validated inputs and key by the plain scalar inputs given (see `_plain_inputs`).
    _plain_memo: ClassVar[dict[tuple[Any, ...], tuple[dict[str, Any], str]]]

    def __init__(self, *args: Any, reason: str | None = None, **inputs: Any) -> None:
        cls = type(self)
        spec = cls._inputs
        bound = spec.bind(args, inputs)
        self.reason = reason
        self._digest: str | None = None
        #: An unpure task's result held by the task itself (its key derives from it); set by the engine.
        self.held_result: MemoryEntry | None = None
        #: The task file this task was read from, if any (recorded as input data).
        self.task_file: Path | None = None
        plain = _plain_inputs(bound)
        memo = cls.__dict__.get("_plain_memo") if plain is not None else None
        known = memo.get(plain) if memo is not None else None
        if known is not None:  # the same plain inputs as an earlier task of this type: its validation and key
            self._values, self._input_digest = dict(known[0]), known[1]
            self._deferred = _NO_TASKS
            return
        self._values, self._deferred = spec.validate(bound, defer_tasks=True)
        self._input_digest: str | None = None
        self.input_digest  # noqa: B018 - keyed at creation: an unserializable input fails here
        if plain is not None and all(type(value) in PLAIN_TYPES for value in self._values.values()):
            if memo is None:
                memo = cls._plain_memo = {}
            elif len(memo) >= PLAIN_MEMO_SIZE:
                memo.clear()
            memo[plain] = (dict(self._values), self._input_digest)

    # --- inputs -----------------------------------------------------------
    @property
    def inputs(self) -> Mapping[str, Any]:
        """The validated inputs by name (upstream tasks appear as tasks)."""
        return MappingProxyType(self._values)

    @property
    def deferred_inputs(self) -> frozenset[str]:
        """The names of the inputs that hold upstream tasks (resolved and validated when run)."""
        return self._deferred

    def validate_input(self, name: str, value: Any) -> Any:
        """*value* validated (and coerced) as input *name* of this task."""
        return type(self)._inputs.fields[name].validate(value)

    @property
    def name(self) -> str:
        return self.taskname

    @_TypeAttribute
    def task_function(cls) -> Callable[..., Any]:
        """The function (or method of a callable class) this task computes; its code is fingerprinted.

        Read from the task type as well as from a task (``explain_result`` has only the type).
        """
        return cls._func

    @property
    def output_names(self) -> tuple[str, ...]:
        """Names of the outputs, each stored in its own file (``""`` for a single bare output)."""
        return self._outputs.names_for(self._values)

    def __getattr__(self, attr: str) -> Any:
        values = self.__dict__.get("_values")
        if values is not None and attr in values:
            return values[attr]
        raise AttributeError(f"'{type(self).__name__}' task has no attribute or input '{attr}'")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._values})

    @classmethod
    def bind(cls, **defaults: Any) -> type[Task]:
        """A task type with the given inputs as defaults, like :func:`functools.partial`.

        The other inputs are given when creating a task, and a bound input may
        be given again to override it. A bound task is the same task as the
        unbound one with the same inputs (same key, same task file).
        """
        unknown = sorted(set(defaults) - set(cls._inputs.fields))
        if unknown:
            raise TaskInputError(
                f"Task '{cls.taskname}' has no input(s) {unknown}; its inputs are {', '.join(cls._inputs.fields)}."
            )
        values, _ = cls._inputs.validate(defaults, defer_tasks=True)

        def __init__(self: Task, *args: Any, reason: str | None = None, **inputs: Any) -> None:
            if args:
                raise TaskInputError(f"A bound '{cls.taskname}' task takes its inputs by keyword.")
            cls.__init__(self, reason=reason, **{**values, **inputs})

        bound_text = ", ".join(f"{k}={_short_repr(v)}" for k, v in values.items())
        return type(
            cls.__name__,
            (cls,),
            {
                "__init__": __init__,
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
                "__doc__": f"{cls.taskname} with {bound_text} bound.\n\n{cls.__doc__ or ''}",
                "bound_inputs": MappingProxyType(values),
            },
        )

    @classmethod
    def partial(cls, **defaults: Any) -> type[Task]:
        """The original smttask's name for :meth:`bind`."""
        return cls.bind(**defaults)

    # --- identity ---------------------------------------------------------
    @property
    def digest(self) -> str:
        """The task's key: 32 hex digits hashing its identity, version and inputs.

        For an unpure task it hashes the output instead, which runs the task.
        """
        if self._digest is None:
            if self.unpure:
                from .engine import unpure_entry

                entry = unpure_entry(self, self._project())
                self._digest = self.output_digest(entry.values)
            else:
                self._digest = self.input_digest
        return self._digest

    key = digest

    @property
    def static_key(self) -> str:
        """The key known without running the task.

        It is :attr:`digest` for a pure task; an unpure task's digest needs its
        output, so its static key is :attr:`input_digest`. Task files, plans and
        listings name tasks by it.
        """
        return self.input_digest if self.unpure else self.digest

    @property
    def memory_key(self) -> str:
        """Where the in-memory tier keeps this task's result (apart from pure results, for an unpure task)."""
        return "unpure:" + self.input_digest if self.unpure else self.digest

    @property
    def input_digest(self) -> str:
        """Key computed from identity, version and inputs (equal to :attr:`digest` for pure tasks)."""
        if self._input_digest is None:
            values = self._values
            if all(type(value) in PLAIN_TYPES for value in values.values()):
                # Plain scalars encode as themselves: the same key, without the registry or the walk.
                self._input_digest = self._make_key(dict(values))
                return self._input_digest
            registry = self._project().deferred_serializers
            inputs = {}
            for name, value in self._values.items():
                try:
                    inputs[name] = encode(value, registry, "key")
                except UnserializableValueError as exc:
                    where = f"input '{name}' of task '{self.taskname}'"
                    raise UnserializableValueError(exc.value_type, where) from None
            self._input_digest = self._make_key(inputs)
        return self._input_digest

    def _make_key(self, encoded_inputs: dict[str, Any]) -> str:
        # The canonical text of {"inputs": ..., "task": ..., "version": ...} (keys sorted),
        # with the part that never changes for a task type computed once per type.
        cls = type(self)
        tail = cls.__dict__.get("_key_tail")
        if tail is None:
            tail = f',"task":{canonical_json(cls.identity)},"version":{canonical_json(cls.version)}}}'
            cls._key_tail = tail
        text = '{"inputs":' + canonical_json(encoded_inputs) + tail
        return blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def output_digest(self, values: dict[str, Any]) -> str:
        """The key an unpure task takes from its output *values* (a mapping output name → value)."""
        registry = self._project().deferred_serializers
        outputs = {
            name: encode(value, registry, "key", where=f"output '{name}' of task '{self.taskname}'")
            for name, value in values.items()
        }
        return digest_of({"task": self.identity, "version": self.version, "unpure_outputs": outputs})

    def adopt_key(self, key: str) -> str | None:
        """Make *key* this unpure task's key (after it was recomputed); return the key it had, if known."""
        previous, self._digest = self._digest, key
        return previous

    def __eq__(self, other: object) -> bool:
        if not is_task(other):
            return NotImplemented
        return self is other or self.digest == other.digest  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.digest)

    @staticmethod
    def _project() -> Project:
        return current_project()

    # --- running ----------------------------------------------------------
    def run(
        self,
        recompute: bool = False,
        *,
        cache: bool | None = None,
        record: bool | None = None,
        reason: str | None = None,
        mmap: bool = False,
    ) -> Any:
        """Return the task's result: from memory, from storage, or computed.

        *recompute* computes even if a result exists (upstream results are reused).
        *cache* overrides whether the result is kept in memory; *record*
        whether a recorded task writes a lab-book record; *reason* is the
        free-text reason recorded with the run; *mmap* memory-maps arrays
        loaded from storage.
        """
        return run_task(
            self, self._project(), recompute=recompute, cache=cache, record=record, reason=reason, mmap=mmap
        )

    def execute(self, inputs: dict[str, Any]) -> Any:
        """Call the task's function on resolved *inputs* (no caching, storing or recording: the engine does those)."""
        cls = type(self)
        if cls._is_method:
            return cls._func(self, **inputs)
        return cls._func(**inputs)

    def parse_result(self, result: Any) -> dict[str, Any]:
        """The function's return value *result* as validated output values by name."""
        return type(self)._outputs.parse(result, self.output_names)

    def validate_outputs(self, values: dict[str, Any]) -> dict[str, Any]:
        """Output *values* read from storage, validated (and coerced) to the declared output types."""
        return type(self)._outputs.validate(values)

    def shape_result(self, values: dict[str, Any]) -> MemoryEntry:
        """A memory entry holding *values* and the result ``run()`` returns for them."""
        return MemoryEntry(values, type(self)._outputs.shape(values, self.output_names))

    def clear(self) -> None:
        """Forget the in-memory result (stored results are kept)."""
        self._project().memory.discard(self.memory_key)
        self.held_result = None

    def result_status(self) -> tuple[str, str]:
        """``(state, detail)``: where this task's result is, found without computing or loading it.

        *state* is ``"memory"`` (kept in this process), ``"stored"`` (*detail*
        lists the files), ``"not computed"``, ``"unusable"`` (a stored result
        failed its check; *detail* says why: it will be recomputed) or
        ``"not stored"`` (a task kept in memory only, or unpure, not run yet).
        A stored result's *detail* also names the record of the run that
        computed it, when it was recorded.
        """
        from .errors import CorruptResultError

        project = self._project()
        if self.memory_key in project.memory or self.held_result is not None:
            return "memory", "kept in this process"
        if not self.store:
            return "not stored", f"{self.kind}: computed when needed"
        try:
            stored = project.storage.locate(self)
        except CorruptResultError as exc:
            return "unusable", str(exc)
        if stored is None:
            return "not computed", "no stored result"
        files = ", ".join(map(str, stored.files))
        return "stored", files + (f" (record {stored.record})" if stored.record else "")

    def get_output(self, name: str = "", *, mmap: bool = False) -> Any:
        """Load one stored output by name (``""`` for a task with a single unnamed output)."""
        from .engine import load_output

        return load_output(self, self._project(), name, mmap=mmap)

    def why(self, *, nearest: int = 3) -> Explanation:
        """Why running this task now would use a result or compute one (``print()`` it for the report).

        For a miss, the *nearest* stored results of this task and the inputs,
        by dotted path through upstream tasks, that differ; for a hit, where the
        result is, its record and whether the code changed since. See :mod:`smttask.explain`.
        """
        from .explain import explain

        return explain(self, self._project(), nearest=nearest)

    # --- task files -------------------------------------------------------
    @property
    def desc(self) -> dict[str, Any]:
        """The task file content as a dict: identity, inputs (canonical JSON), reason and key."""
        from .taskfile import describe

        return describe(self)

    def save(self, path: str | Path = ".", *, embed: bool = False) -> Path:
        """Write the task file into directory *path* (created if needed) or to *path* ending in ``.json``.

        Array inputs larger than the project's ``array_inline_max`` are stored
        once beside the results and referenced by hash; *embed* writes them into
        the file, which then stands alone (see docs/taskfiles.md).
        """
        from .taskfile import save_task

        return save_task(self, path, embed=embed)

    @classmethod
    def from_desc(cls, source: str | Path | Mapping[str, Any]) -> Task:
        """Rebuild a task from a task file path, its JSON text, or :attr:`desc`."""
        from .taskfile import task_from_desc

        task = task_from_desc(source)
        if cls is not Task and not isinstance(task, cls):
            from .errors import UnknownTaskError

            raise UnknownTaskError(str(source)[:80], f"describes a '{task.taskname}' task, not a '{cls.taskname}'")
        return task

    def __reduce__(self) -> tuple[Any, ...]:
        from .taskfile import task_from_desc

        return (task_from_desc, (self.desc,))

    # --- display ----------------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short_repr(v)}" for k, v in self._values.items())
        return f"{self.taskname}({args})"

    def _repr_html_(self) -> str:
        import html  # only notebooks show it: not for every process that imports smttask

        rows = "".join(
            f"<tr><td><code>{html.escape(k)}</code></td><td>{_html_value(v)}</td></tr>"
            for k, v in self._values.items()
        )
        kind = html.escape(self.kind)
        key = html.escape(self.static_key)
        try:
            state, detail = self.result_status()
        except Exception as exc:  # a display must not raise: say why the state is unknown
            state, detail = "unknown", f"{type(exc).__name__}: {exc}"
        return (
            f"<div class='smttask-task'><b>{html.escape(self.taskname)}</b> "
            f"<small>{kind} · key <code>{key[:12]}…</code></small>"
            f"<div class='smttask-result'>result: <b>{html.escape(state)}</b> "
            f"<small>{html.escape(detail)}</small></div>"
            f"<table>{rows}</table></div>"
        )


#: The deferred inputs of a task with plain inputs only: none.
_NO_TASKS: frozenset[str] = frozenset()
#: Entries of a task type's memo of plain inputs; a full memo starts again (a loop over a million values).
PLAIN_MEMO_SIZE = 4096


def _plain_inputs(bound: dict[str, Any]) -> tuple[Any, ...] | None:
    """A hashable image of *bound* telling apart every input set that validates or keys differently, or None.

    Only for inputs that are all plain scalars. Each value goes with its type, as
    ``1``, ``1.0`` and ``True`` are equal in Python but not as inputs; a float by
    its exact text (``-0.0`` equals ``0.0``; a NaN equals no other).
    """
    image: list[Any] = []
    for name, value in bound.items():
        kind = type(value)
        if kind not in PLAIN_TYPES:
            return None
        image.append((name, kind, value.hex() if kind is float else value))
    return tuple(image)


def _short_repr(value: Any, limit: int = 60) -> str:
    if is_task(value):
        return repr(value)
    t = type(value)
    if t.__module__ == "numpy" and t.__name__ == "ndarray":
        if value.size <= 6:
            return f"array({value.tolist()})"
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _html_value(value: Any) -> str:
    import html

    if is_task(value):
        return f"<details><summary>{html.escape(value.taskname)}</summary>{value._repr_html_()}</details>"
    return f"<code>{html.escape(_short_repr(value))}</code>"
