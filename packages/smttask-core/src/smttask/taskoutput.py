"""The base class of named task outputs, a pydantic model: imported only by a task that names its outputs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TaskOutput(BaseModel):
    """Base class for named task outputs; subclass it and annotate one field per output.

    A task annotated ``-> MyOutputs`` returns a tuple (or the model, or a dict)
    with those fields; ``run()`` gives back a named tuple (or the value itself if
    there is a single field). Each field is stored in a file of its own.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
