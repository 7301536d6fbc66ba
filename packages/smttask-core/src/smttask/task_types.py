"""The kinds of task. Each decorator in :mod:`smttask.decorators` makes a subclass of one."""

from __future__ import annotations

from typing import Any, ClassVar

from .errors import TaskInputError
from .task import Task


class RecordedTask(Task):
    """Stored on disk (memory too) and recorded in the lab book when computed.

    Use for expensive, pure computations whose results you want to keep and trace.
    """

    kind = "RecordedTask"

    store = True
    recorded = True


class RecordedIterativeTask(RecordedTask):
    """A recorded task applied repeatedly to its own output (an ODE integration, a fit).

    One input, the *iteration parameter*, counts iterations. It is left out of
    the hashed part of the key and appended to it (``<hash>__n_20``), so results
    of the same computation with different counts are found side by side. Asked
    for ``n`` iterations, the task reuses a stored result for exactly ``n``, or
    else resumes from the stored result with the most iterations below ``n``: the
    *iteration map* ``{output: input}`` says which outputs feed which inputs.
    """

    kind = "RecordedIterativeTask"

    iteration_parameter: ClassVar[str]
    iteration_map: ClassVar[dict[str, str]]

    def __init__(self, *args: Any, reason: str | None = None, **inputs: Any) -> None:
        super().__init__(*args, reason=reason, **inputs)
        if self.iteration_parameter in self._deferred:
            raise TaskInputError(
                f"The iteration count '{self.iteration_parameter}' of task '{self.taskname}' must be "
                "an integer, not computed by another task: it names the stored result."
            )

    @property
    def iterations(self) -> int:
        return self._values[self.iteration_parameter]

    def _make_key(self, encoded_inputs: dict[str, Any]) -> str:
        hashed = {k: v for k, v in encoded_inputs.items() if k != self.iteration_parameter}
        return f"{super()._make_key(hashed)}__{self.iteration_parameter}_{self.iterations}"

    @property
    def family_digest(self) -> str:
        """The hashed part of the key, shared by every iteration count."""
        return self.digest.rpartition("__")[0]

    def with_iterations(self, n: int) -> RecordedIterativeTask:
        """The same task asked for *n* iterations."""
        return type(self)(**{**self._values, self.iteration_parameter: n}, reason=self.reason)


class MemoizedTask(Task):
    """Kept in memory only: for cheap computations not worth storing (e.g. drawing samples)."""

    kind = "MemoizedTask"


class NonMemoizedTask(MemoizedTask):
    """Not even kept in memory: computed every time its result is needed."""

    kind = "NonMemoizedTask"

    cache = False


class UnpureMemoizedTask(MemoizedTask):
    """A task whose output depends on more than its inputs (a database, a directory listing).

    Its key is derived from its output, so downstream tasks change key when that
    output changes. It is computed once per session (memory) and never stored;
    ``run(recompute=True)`` computes it again and warns if the output changed.
    """

    kind = "UnpureMemoizedTask"

    unpure = True

    def __init__(self, *args: Any, reason: str | None = None, **inputs: Any) -> None:
        if reason is not None:
            raise TaskInputError(
                f"Task '{self.taskname}' is an UnpureMemoizedTask, which is never recorded: "
                "a 'reason' has no meaning for it. Remove the reason argument."
            )
        super().__init__(*args, **inputs)
