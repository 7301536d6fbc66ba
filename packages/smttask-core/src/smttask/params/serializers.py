"""Serializers of parameter collections, expanded values and ``scipy.stats`` distributions.

:data:`PARAMS_SERIALIZERS` is registered by smttask's built-in plugin.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import DeserializationError, OptionalDependencyError, SerializationError
from ..serializers import Decode, Encode, JSONValue, Serializer, class_path, resolve_class
from ..text import one_line, shown
from .collection import PARAMCOLL_TAG, ConvertedParamCollType, ParamColl, converted_paramcoll
from .expandable import Expandable, ExpandableRV, ExpandableSequence
from .paramseed import NOSEED
from .values import is_distribution_family


class ParamCollSerializer(Serializer):
    """Parameter collections: their class (``module:QualName``), field values and seed.

    Reading one back resolves the class only in modules already imported (the
    task's module, and what it imports).
    """

    name = PARAMCOLL_TAG
    types = ("smttask.params.collection.ParamColl",)

    def encode(self, value: ParamColl, encode: Encode) -> JSONValue:
        fields = {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and f.name != "paramseed"
        }
        cls = type(value)
        if isinstance(cls, ConvertedParamCollType):
            data: dict[str, Any] = {"dataclass": class_path(cls.source), "fields": fields}
        else:
            data = {"class": class_path(cls), "fields": fields}
        if value.paramseed is not NOSEED:
            data["paramseed"] = encode(value.paramseed)
        return data

    def decode(self, data: dict, decode: Decode) -> ParamColl:
        if "dataclass" in data:
            path = data["dataclass"]
            cls = _converted_from(path, data["fields"])
        else:
            path = data["class"]
            cls = resolve_class(path, ParamColl, what="a ParamColl subclass")
        kwargs = {name: decode(v) for name, v in data["fields"].items()}
        if "paramseed" in data:
            kwargs["paramseed"] = decode(data["paramseed"])
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise DeserializationError(f"cannot rebuild {shown(path)}: {one_line(str(exc), 500)}") from None


def _converted_from(path: str, fields: dict) -> type[ParamColl]:
    """The ParamColl converted from the plain dataclass at *path*, given every one of its fields.

    Every field is required: a missing one would call the dataclass's default
    factory, and reading a task file calls nothing.
    """
    source = resolve_class(path, object, what="a dataclass")
    if not dataclasses.is_dataclass(source) or issubclass(source, ParamColl):
        raise DeserializationError(f"{shown(path)} is not a plain dataclass; a task file may name only one here.")
    names = {f.name for f in dataclasses.fields(source)}
    if not isinstance(fields, dict) or set(fields) != names:
        raise DeserializationError(
            f"The fields of dataclass {shown(path)} are {', '.join(sorted(names))}; the file gives "
            f"{shown(sorted(fields) if isinstance(fields, dict) else fields)}."
        )
    return converted_paramcoll(source)


class ExpandSerializer(Serializer):
    """Values marked by :func:`expand`: the sequence, or the distribution."""

    name = "expand"
    types = ("smttask.params.expandable.Expandable",)

    def encode(self, value: Expandable, encode: Encode) -> JSONValue:
        if isinstance(value, ExpandableSequence):
            return {"values": [encode(v) for v in value.values]}
        return {"distribution": encode(value.dist)}  # type: ignore[attr-defined]

    def decode(self, data: dict, decode: Decode) -> Expandable:
        if "values" in data:
            return ExpandableSequence([decode(v) for v in data["values"]])
        return ExpandableRV(decode(data["distribution"]))


def _scipy_stats() -> Any:
    try:
        import scipy.stats
    except ImportError:
        raise OptionalDependencyError(
            "Reading a scipy.stats distribution needs SciPy; install it with "
            "`pip install 'smttask-core[stats]'`."
        ) from None
    return scipy.stats


class FrozenDistributionSerializer(Serializer):
    """Frozen univariate ``scipy.stats`` distributions: family name, args and keywords."""

    name = "scipy.stats.frozen"
    types = ("scipy.stats._distn_infrastructure.rv_frozen",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        stats = _scipy_stats()
        family = getattr(stats, value.dist.name, None)
        if type(family) is not type(value.dist):
            raise SerializationError(
                f"Only scipy.stats' own distributions can be serialized; '{value.dist.name}' "
                f"({type(value.dist).__qualname__}) is not one. Register a serializer for it."
            )
        return {
            "dist": value.dist.name,
            "args": [encode(a) for a in value.args],
            "kwds": {k: encode(v) for k, v in value.kwds.items()},
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        stats = _scipy_stats()
        name = data["dist"]
        public = isinstance(name, str) and name.isidentifier() and not name.startswith("_")
        family = getattr(stats, name, None) if public else None
        if family is None or not is_distribution_family(family):
            raise DeserializationError(f"{shown(data['dist'])} is not a scipy.stats distribution.")
        return family(
            *(decode(a) for a in data["args"]), **{k: decode(v) for k, v in data["kwds"].items()}
        )


class MultivariateNormalSerializer(Serializer):
    """Frozen ``scipy.stats.multivariate_normal`` distributions: mean and covariance."""

    name = "scipy.stats.multivariate_normal"
    types = ("scipy.stats._multivariate.multivariate_normal_frozen",)

    def encode(self, value: Any, encode: Encode) -> JSONValue:
        return {
            "mean": encode(value.mean),
            "cov": encode(value.cov),
            "allow_singular": bool(getattr(value, "allow_singular", False)),
        }

    def decode(self, data: dict, decode: Decode) -> Any:
        return _scipy_stats().multivariate_normal(
            mean=decode(data["mean"]),
            cov=decode(data["cov"]),
            allow_singular=data["allow_singular"],
        )


PARAMS_SERIALIZERS: tuple[Serializer, ...] = (
    ParamCollSerializer(),
    ExpandSerializer(),
    FrozenDistributionSerializer(),
    MultivariateNormalSerializer(),
)
