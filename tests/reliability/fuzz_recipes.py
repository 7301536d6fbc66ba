"""Hostile task files: hypothesis strategies for small *recipes*, and the builder that makes each file.

A recipe is a few drawn choices (which template, which mutation, which payload);
:func:`build` turns it into the bytes of a file, starting from a task file smttask
itself saved (:mod:`fuzz_templates`). Keeping the drawn data small lets hypothesis
generate hundreds of files quickly, while the files themselves can be megabytes
long or 10,000 levels deep.

Kinds of recipe (:data:`KINDS`):

- ``target``: a dangerous ``module:qualname`` in a place a file names one;
- ``typed``: a ``$type`` value, of every tag, with hostile fields or payload;
- ``field``: a wrong JSON type at, or the removal of, any one field of a template;
- ``deep``: lists, objects or typed values nested up to 10,000 levels;
- ``huge``: names, keys and values of a few MB; integers of thousands of digits;
- ``json``: truncated, invalid or oddly encoded files;
- ``ref``: broken references between the tasks of one file (version 1: tasks nested inline);
- ``table``: a damaged or hostile upstream table (version 2);
- ``module``: modules that misbehave when imported (``SystemExit``, printing).
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from fuzz_sideeffects import PAYLOAD_TOKENS, Canaries
from fuzz_templates import NAMES, STORED_ARRAY_HASH, STORED_ARRAY_SIZE, TYPE_TAGS
from hypothesis import strategies as st

#: Every dangerous callable or class named in the brief, and dunder walks to more.
TARGETS = (
    "os:system", "builtins:exec", "builtins:eval", "builtins:open", "shutil:rmtree", "os:chdir",
    "os:remove", "subprocess:Popen", "subprocess:run", "pathlib:Path", "webbrowser:open",
    "pickle:loads", "importlib:import_module", "os:_exit", "sys:exit", "os:__builtins__.exec",
    "builtins:__import__", "os:popen", "os:execv", "shutil:move", "runpy:run_path", "pdb:set_trace",
    "builtins:compile", "builtins:breakpoint", "ctypes:CDLL", "code:interact", "os:kill",
    "subprocess:Popen.__init__", "pathlib:Path.__new__", "os:system.__call__",
    "builtins:__build_class__", "enum:Enum.__new__", "hostile_tasks:pathlib.Path",
)
#: Classes of the right family but the wrong kind, or the family's own base class.
NEAR_MISSES = (
    "hostile_tasks:Colour", "hostile_tasks:Point", "hostile_tasks:Sweep", "hostile_tasks:Seeds",
    "hostile_tasks:Box", "hostile_tasks:anything", "enum:Enum", "enum:IntFlag", "pydantic:BaseModel",
    "smttask.params.collection:ParamColl", "smttask.seeds:SeedGenerator", "signal:Signals",
    "numpy.random:RandomState", "smttask.generators:CreateTask", "hostile_tasks:not_pure",
    "hostile_tasks:transform", "smttask.typing:PureFunction",
)
#: Modules that misbehave when imported (exit, print) or cannot be module names.
MODULES = (
    "unittest.__main__", "this", "os.path", "sys", "builtins", "hostile_tasks.missing", "__main__",
    "no_such_module_fuzz", "hostile_tasks.", ".hostile_tasks", "hostile_tasks..x", "/etc/passwd",
    "../hostile_tasks", "hostile_tasks\x00", "hostile tasks", "smttask", "smttask.generators",
)
BIT_GENERATORS = (
    "PCG64", "MT19937", "Philox", "SFC64", "BitGenerator", "Generator", "SeedSequence",
    "default_rng", "RandomState", "__class__", "bit_generator", "_pickle", "os", "system",
)
DISTRIBUTIONS = (
    "norm", "rv_continuous", "rv_frozen", "multivariate_normal", "os", "_continuous_distns",
    "__builtins__", "norm.__class__", "distributions", "gaussian_kde", "rv_histogram", "sys",
)
DTYPES = (
    "O", "|O", "object", [["a", "|O"]], [["a", "<f8", [2]], ["b", "|O"]], "(2,)O", "<U100000", "|V8",
    "S0", "<M8[D]", "int64; import os", "(1000000,)<f8", 5, None, [["a"]], "<f8\n\x00", "V", "<U0",
)
SHAPES = ([-1], [10**12, 10**12], [2**63], [1.5], ["1"], [True], 5, None, [[1]], [1] * 100, [0, -0])

#: Text with control characters; "FORGED" shows up as a line of its own if one ever escapes raw.
CONTROL = (
    "a\nFORGED b", "\x00", "\x1b[2J\x1b[HFORGED", "\r\nFORGED", "\u2028FORGED", "\x85", "\ud800",
    "\x07\x08\x7f", "tab\tFORGED", "\x1b]0;FORGED\x07",
)
#: Values of the wrong JSON type for any field.
WRONG = (
    None, True, False, 0, -1, 1, 2.5, -0.0, 1e308, float("inf"), float("nan"), 10**30, -(2**63), 2**64,
    "", "text", "0", "true", [], {}, [None], [[1, 2], [3]], {"": None}, {"$type": "tuple", "value": []},
    {"$type": None, "value": 1}, {"$type": "enum"}, {"value": 1}, {"$type": "task", "value": None},
)
#: Fields the decoders read; hostile objects use them as keys so decoders get further.
DECODER_KEYS = (
    "class", "value", "data", "dtype", "shape", "zlib", "base64", "bit_generator", "state", "entropy",
    "pool_size", "spawn_key", "n_children_spawned", "fields", "paramseed", "values", "distribution",
    "dist", "args", "kwds", "mean", "cov", "allow_singular", "module", "task", "inputs", "ref", "key",
    "$type", "__class__", "__reduce__", "xxh3_128", "file",
)
#: Hashes a stored-array reference may give: the file name is made of it, so none may reach another file.
HASHES = (
    "../../../../etc/passwd", "0" * 32, STORED_ARRAY_HASH.upper(), STORED_ARRAY_HASH[:-1],
    STORED_ARRAY_HASH + "/../" + STORED_ARRAY_HASH, STORED_ARRAY_HASH + "\x00", "/" + STORED_ARRAY_HASH,
    f"../.arrays/{STORED_ARRAY_HASH}", "x" * 100_000, STORED_ARRAY_HASH + ".npy",
)

#: A well-formed value of each tag, whose fields the ``typed`` recipes replace one by one.
SKELETONS: dict[str, Any] = {
    "tuple": [1, 2], "set": [1, 2], "frozenset": [1], "dict": [[1, "a"]], "bytes": "eHk=",
    "complex": [1.0, 2.0], "path": "/a/b", "datetime": "2024-01-01T12:00:00", "date": "2024-01-02",
    "timedelta": [1, 2, 0],
    "enum": {"class": "hostile_tasks:Colour", "value": 1},
    "model": {"class": "hostile_tasks:Point", "data": {"x": 1.0, "y": 2.0}},
    "task": {"format": "smttask-task", "version": 1, "module": "hostile_tasks", "task": "double",
             "inputs": {"x": 3}, "reason": None, "key": None},
    "ndarray": {"dtype": "<f8", "shape": [2], "data": [1.0, 2.0]},
    # The array of the "array_stored" template, which the test projects hold.
    "ndarray.stored": {"dtype": "<f8", "shape": [STORED_ARRAY_SIZE], "xxh3_128": STORED_ARRAY_HASH},
    "numpy.scalar": {"dtype": "<f4", "value": 1.5},
    "dtype": "<f4",
    "numpy.Generator": {"bit_generator": "PCG64", "state": {"state": 1, "inc": 1}, "has_uint32": 0,
                        "uinteger": 0},
    "numpy.SeedSequence": {"entropy": 5, "spawn_key": [], "pool_size": 4, "n_children_spawned": 0},
    "paramcoll": {"class": "hostile_tasks:Sweep", "fields": {"scale": 1.0, "offset": 0.0}, "paramseed": 3},
    "expand": {"values": [1.0, 2.0]},
    "scipy.stats.frozen": {"dist": "norm", "args": [0, 1], "kwds": {}},
    "scipy.stats.multivariate_normal": {"mean": [0.0, 0.0], "cov": [[1.0, 0.0], [0.0, 1.0]],
                                        "allow_singular": False},
    "seedgenerator": {"class": "hostile_tasks:Seeds", "entropy": 5},
    "purefunction": {"op": "mul", "operands": [2, {"$type": "purefunction", "value": {"ref": "hostile_tasks:halve"}}]},
}
assert set(SKELETONS) == set(TYPE_TAGS)

#: Tags no serializer has, and malformed tags.
UNKNOWN_TAGS = ("pickle", "dill", "__import__", "", "object", "numpy.ndarray", "enum\n", "ENUM", "task ")


@dataclass(frozen=True)
class Token:
    """A payload aimed at the canaries, resolved when the file is built (see :meth:`Canaries.payload`)."""

    name: str


@dataclass(frozen=True)
class Zip:
    """A zlib bomb: *megabytes* of zeros, compressed (resolved when the file is built)."""

    megabytes: int


@dataclass(frozen=True)
class Recipe:
    """One hostile file: its *kind* (counted in the summary), template and drawn choices."""

    kind: str
    template: str
    params: tuple[Any, ...]
    control_in_name: bool = False

    def filename(self, index: int) -> str:
        """A unique, recognisable name; the ``h0042-`` prefix finds the file's line in the output."""
        name = f"h{index:04d}-{self.kind}"
        if self.control_in_name:
            name += "-\n\x1b[31mFORGED\x07"
        return name + ".taskdesc.json"


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

tokens = st.sampled_from(PAYLOAD_TOKENS).map(Token)
control_text = st.sampled_from(CONTROL)
atoms = st.one_of(
    st.sampled_from(WRONG), tokens, control_text, st.sampled_from(TARGETS + NEAR_MISSES),
    st.integers(), st.floats(), st.text(max_size=6),
)
hostile_json = st.recursive(
    atoms,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(DECODER_KEYS) | control_text, inner, max_size=4),
    max_leaves=8,
)
_FIELD_VALUES = {
    "class": st.sampled_from(TARGETS + NEAR_MISSES),
    "dtype": st.sampled_from(DTYPES),
    "shape": st.sampled_from(SHAPES),
    "bit_generator": st.sampled_from(BIT_GENERATORS),
    "dist": st.sampled_from(DISTRIBUTIONS),
    "module": st.sampled_from(MODULES + TARGETS),
    "zlib": st.sampled_from([Zip(20), "eJzLSM3JyQcABiwCFQ==", "not base64!", ""]),
    "xxh3_128": st.sampled_from(HASHES),
}


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[str, Any]:
    """``(tag, value)``: a skeleton with some fields hostile, or a wholly hostile value."""
    tag = draw(st.sampled_from(TYPE_TAGS + UNKNOWN_TAGS))
    skeleton = copy.deepcopy(SKELETONS.get(tag, {"value": 1}))
    if draw(st.integers(0, 3)) == 0:
        return tag, draw(hostile_json)
    if isinstance(skeleton, dict):
        fields = list(skeleton)
        if tag == "ndarray":
            encoding = draw(st.sampled_from(["data", "zlib", "base64"]))
            skeleton.pop("data")
            skeleton[encoding] = {"data": [1.0, 2.0], "zlib": Zip(20), "base64": "AAAAAAAA8D8="}[encoding]
            fields = list(skeleton)
        for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
            if draw(st.booleans()) and field in _FIELD_VALUES:
                skeleton[field] = draw(_FIELD_VALUES[field])
            elif draw(st.integers(0, 5)) == 0:
                del skeleton[field]
            else:
                skeleton[field] = draw(atoms)
        if draw(st.integers(0, 5)) == 0:
            skeleton[draw(st.sampled_from(DECODER_KEYS) | control_text)] = draw(atoms)
        return tag, skeleton
    if isinstance(skeleton, list) and skeleton and draw(st.booleans()):
        skeleton[draw(st.integers(0, len(skeleton) - 1))] = draw(atoms)
        return tag, skeleton
    return tag, draw(atoms)


TARGET_SLOTS = (
    "module", "module+task", "task", "upstream", "enum", "model", "paramcoll", "seedgenerator",
    "create", "bit_generator", "scipy.dist", "any:enum", "any:model", "any:paramcoll",
    "any:seedgenerator", "function", "function-partial", "function-operand", "any:purefunction",
)
TARGET_VARIANTS = ("plain", "plain", "control", "space", "unicode")


def target_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda slot, target, variant, token, template: Recipe(
            "target", template, (slot, target, variant, token)
        ),
        st.sampled_from(TARGET_SLOTS),
        st.sampled_from(TARGETS),
        st.sampled_from(TARGET_VARIANTS),
        tokens,
        st.sampled_from(NAMES),
    )


TYPED_PLACES = ("any", "list", "mapping", "paramcoll-field", "expand-values", "model-data")


def typed_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda place, tagged: Recipe("typed", "scalar", (place, *tagged)),
        st.sampled_from(TYPED_PLACES),
        typed_values(),
    )


def field_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda template, index, action, value: Recipe("field", template, (index, action, value)),
        st.sampled_from(NAMES),
        st.integers(0, 10_000),
        st.sampled_from(["replace", "replace", "replace", "delete", "add"]),
        st.one_of(st.sampled_from(WRONG), tokens, control_text, st.sampled_from(TARGETS)),
    )


DEEP_SHAPES = ("list", "dict", "tuple", "set", "expand", "task", "dict-tagged", "mixed")
DEEP_PLACES = ("scalar", "mapping", "sequence", "paramcoll", "model")


def deep_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda place, depth, shape: Recipe("deep", place, (depth, shape)),
        st.sampled_from(DEEP_PLACES),
        st.sampled_from([50, 199, 200, 201, 500, 1000, 10_000]),
        st.sampled_from(DEEP_SHAPES),
    )


HUGE_PLACES = (
    "module", "task", "enum-class", "model-class", "create-cls", "tag", "input-key", "dict-key",
    "reason", "key", "value", "format", "version", "bit_generator", "scipy-dist", "digits-4000",
    "digits-5000", "long-list", "control-value", "upstream-module",
)


#: Places too slow to fill at random (seconds each): the catalogue fills them once.
SLOW_HUGE_PLACES = ("upstream-module", "long-list")


def huge_recipes() -> st.SearchStrategy[Recipe]:
    """Huge values of 256 KB (the catalogue's are 1 and 3 MB)."""
    return st.builds(
        lambda place: Recipe("huge", "scalar", (place, 256)),
        st.sampled_from([p for p in HUGE_PLACES if p not in SLOW_HUGE_PLACES]),
    )


JSON_DAMAGE = (
    "truncate", "truncate", "nul", "bom", "utf16", "latin1", "invalid-utf8", "empty", "whitespace",
    "array", "null", "number", "string", "trailing", "duplicate-module", "nan-version",
    "bigint-version", "lone-surrogate", "binary", "comment",
)


def json_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda template, damage, fraction: Recipe("json", template, (damage, fraction)),
        st.sampled_from(NAMES),
        st.sampled_from(JSON_DAMAGE),
        st.floats(0.0, 1.0),
    )


REF_DAMAGE = (
    "unknown", "self", "mutual", "ref-int", "ref-huge", "ref-control", "twice-different", "key-list",
    "ref-and-key", "ref-extra",
)


#: Damage to a version 2 file's upstream table (template "flat": a pair sharing one upstream task).
TABLE_DAMAGE = (
    "not-object", "entry-not-object", "entry-no-inputs", "key-mismatch", "missing", "self", "mutual",
    "inline", "extra-hostile", "module-os", "many",
)


def table_recipes() -> st.SearchStrategy[Recipe]:
    return st.sampled_from(TABLE_DAMAGE).map(lambda how: Recipe("table", "flat", (how,)))


def ref_recipes() -> st.SearchStrategy[Recipe]:
    return st.sampled_from(REF_DAMAGE).map(lambda how: Recipe("ref", "upstream", (how,)))


def module_recipes() -> st.SearchStrategy[Recipe]:
    return st.builds(
        lambda module, upstream, template: Recipe("module", template, (module, upstream)),
        st.sampled_from(MODULES),
        st.booleans(),
        st.sampled_from(NAMES),
    )


KINDS = ("target", "typed", "field", "deep", "huge", "json", "ref", "table", "module")


def recipes() -> st.SearchStrategy[Recipe]:
    """Any hostile recipe; about one in eight also puts control characters in the file's name.

    Random draws favour cheap kinds; :func:`catalogue` covers every target, slot,
    depth, huge place and damage once, whatever hypothesis draws.
    """
    kinds = st.one_of(
        target_recipes(), target_recipes(), typed_recipes(), typed_recipes(), field_recipes(),
        deep_recipes(), huge_recipes(), json_recipes(), ref_recipes(), table_recipes(), module_recipes(),
    )
    return st.builds(
        lambda recipe, control: Recipe(recipe.kind, recipe.template, recipe.params, control),
        kinds,
        st.sampled_from([False] * 7 + [True]),
    )


def catalogue(templates: dict[str, dict[str, Any]], *, every_pair: bool = True) -> list[Recipe]:
    """Hostile recipes covering each choice at least once, in a fixed order.

    With *every_pair*, every dangerous target in every slot (about 500 files);
    otherwise each target and each slot at least twice, paired in rotation. Every
    field of every template gets a value of another JSON type (every fifth is
    removed instead).
    """
    tokens_cycle = [Token(t) for t in PAYLOAD_TOKENS]
    found: list[Recipe] = []
    if every_pair:
        pairs = [(slot, target) for slot in TARGET_SLOTS for target in TARGETS]
    else:
        rounds = 2 * max(len(TARGET_SLOTS), len(TARGETS))
        pairs = [(TARGET_SLOTS[i % len(TARGET_SLOTS)], TARGETS[(i * 7) % len(TARGETS)]) for i in range(rounds)]
    for i, (slot, target) in enumerate(pairs):
        token = tokens_cycle[i % len(tokens_cycle)]
        found.append(Recipe("target", NAMES[i % len(NAMES)], (slot, target, "plain", token)))
    for i, variant in enumerate(("control", "space", "unicode") * 5):
        slot = TARGET_SLOTS[i % len(TARGET_SLOTS)]
        found.append(Recipe("target", "scalar", (slot, "os:system", variant, Token("shell")), i % 3 == 0))
    for i, tag in enumerate(TYPE_TAGS + UNKNOWN_TAGS):
        found.append(Recipe("typed", "scalar", (TYPED_PLACES[i % len(TYPED_PLACES)], tag, Token(PAYLOAD_TOKENS[i % len(PAYLOAD_TOKENS)]))))
        found.append(Recipe("typed", "scalar", ("any", tag, WRONG[i % len(WRONG)])))
    stored = SKELETONS["ndarray.stored"]
    for field, values in (("xxh3_128", HASHES), ("shape", SHAPES), ("dtype", DTYPES)):
        found += [Recipe("typed", "scalar", ("any", "ndarray.stored", {**stored, field: v})) for v in values]
    found.append(Recipe("typed", "scalar", ("any", "ndarray.stored", {**stored, "file": "../../../../etc/passwd"})))
    wrong = list(WRONG)
    for name in NAMES:
        for index, path in enumerate(_paths(templates[name])):
            original = _get(templates[name], path)
            replacement = next(w for k in range(len(wrong)) if type(w := wrong[(index + k) % len(wrong)]) is not type(original))
            action = "delete" if index % 5 == 4 else "replace"
            found.append(Recipe("field", name, (index, action, replacement)))
    for i, (depth, shape) in enumerate((d, s) for d in (199, 200, 201, 1000, 10_000) for s in DEEP_SHAPES):
        found.append(Recipe("deep", DEEP_PLACES[i % len(DEEP_PLACES)], (depth, shape)))
    for i, place in enumerate(HUGE_PLACES):
        found.append(Recipe("huge", "scalar", (place, 3 << 10 if i % 4 == 0 else 1 << 10)))
    for i, damage in enumerate(JSON_DAMAGE):
        found.append(Recipe("json", NAMES[i % len(NAMES)], (damage, 0.5)))
    found += [Recipe("ref", "upstream", (how,)) for how in REF_DAMAGE]
    found += [Recipe("table", "flat", (how,)) for how in TABLE_DAMAGE]
    for i, module in enumerate(MODULES):
        found += [Recipe("module", NAMES[i % len(NAMES)], (module, False)), Recipe("module", "upstream", (module, True))]
    return found


# ---------------------------------------------------------------------------------------------
# Building a file from a recipe
# ---------------------------------------------------------------------------------------------

_DEEP = "@@DEEP@@"


@functools.cache
def _zlib_bomb(megabytes: int) -> str:
    return base64.b64encode(zlib.compress(bytes(megabytes << 20), 9)).decode("ascii")


def _resolve(value: Any, canaries: Canaries) -> Any:
    """*value* with every :class:`Token` and :class:`Zip` replaced by its JSON value."""
    if isinstance(value, Token):
        return canaries.payload(value.name)
    if isinstance(value, Zip):
        return _zlib_bomb(value.megabytes)
    if isinstance(value, list):
        return [_resolve(v, canaries) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, canaries) for k, v in value.items()}
    return value


def _split(target: str) -> tuple[str, str]:
    module, _, qualname = target.partition(":")
    return module, qualname or "x"


def _variant(target: str, variant: str) -> str:
    if variant == "control":
        module, qualname = _split(target)
        return f"{module}:{qualname[:2]}\n\x00\x1b[2JFORGED{qualname[2:]}"
    if variant == "space":
        return f" {target} "
    if variant == "unicode":
        return target.replace("s", "\u0455").replace("e", "\u0435")  # Cyrillic look-alikes
    return target


def _kwargs(payload: Any) -> dict[str, Any]:
    return payload if isinstance(payload, dict) else {"command": payload, "path": payload}


def _typed(tag: str, value: Any) -> dict[str, Any]:
    return {"$type": tag, "value": value}


def _apply_target(doc: dict[str, Any], template: str, params: tuple[Any, ...], canaries: Canaries,
                  templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    slot, target, variant, token = params
    payload = canaries.payload(token.name)
    name = _variant(target, variant)
    module, qualname = _split(name)
    fixed = {"upstream": "upstream", "enum": "enum", "model": "model", "paramcoll": "paramcoll",
             "seedgenerator": "seedgen", "create": "create", "bit_generator": "gen", "scipy.dist": "frozen"}
    if slot in fixed:
        doc = copy.deepcopy(templates[fixed[slot]])
    inputs = doc["inputs"]
    if slot == "module":
        doc["module"] = name
        inputs["command"] = payload
    elif slot == "module+task":
        doc["module"], doc["task"], doc["inputs"] = module, qualname, _kwargs(payload)
    elif slot == "task":
        doc["task"] = qualname
        doc["inputs"] = _kwargs(payload)
    elif slot == "upstream":
        inner = inputs["left"]["value"]
        inner["module"], inner["task"], inner["inputs"] = module, qualname, _kwargs(payload)
    elif slot == "enum":
        inputs["c"]["value"] = {"class": name, "value": payload}
    elif slot == "model":
        inputs["p"]["value"] = {"class": name, "data": payload}
    elif slot == "paramcoll":
        inputs["params"]["value"].update({"class": name, "fields": _kwargs(payload)})
    elif slot == "seedgenerator":
        inputs["seeds"]["value"].update({"class": name, "entropy": payload})
    elif slot == "create":
        inputs["cls"], inputs["kwargs"] = name, _kwargs(payload)
    elif slot == "bit_generator":
        state = inputs["value"]["value"]
        state["bit_generator"] = qualname if variant != "space" else name
        state["state"]["state"] = payload
    elif slot in ("function", "function-partial", "function-operand"):
        doc = copy.deepcopy(templates["function"])
        ref = {"ref": name}
        doc["inputs"]["f"]["value"] = {
            "function": ref,
            "function-partial": {"partial": _typed("purefunction", ref), "args": [payload], "kwargs": {}},
            "function-operand": {"op": "add", "operands": [_typed("purefunction", ref), payload]},
        }[slot]
    elif slot == "any:purefunction":
        doc = copy.deepcopy(templates["scalar"])
        doc["inputs"]["value"] = _typed("purefunction", {"ref": name})
    elif slot == "scipy.dist":
        dist = inputs["params"]["value"]["fields"]["scale"]["value"]["distribution"]["value"]
        dist["dist"], dist["args"] = qualname, [payload]
    else:  # "any:<tag>": a value of that tag naming the target, at an input that takes anything
        tag = slot.partition(":")[2]
        field = {"enum": "value", "model": "data", "paramcoll": "fields", "seedgenerator": "entropy"}[tag]
        doc = copy.deepcopy(templates["scalar"])
        doc["inputs"]["value"] = _typed(tag, {"class": name, field: payload})
    return doc


def _place_typed(doc: dict[str, Any], place: str, value: Any, templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """*doc* (a copy of a template) with typed *value* at *place*."""
    if place == "any":
        doc["inputs"]["value"] = value
    elif place == "list":
        doc = copy.deepcopy(templates["misc"])
        doc["inputs"]["value"].insert(1, value)
    elif place == "mapping":
        doc = copy.deepcopy(templates["mapping"])
        doc["inputs"]["d"]["hostile"] = value
    elif place == "paramcoll-field":
        doc = copy.deepcopy(templates["paramcoll"])
        doc["inputs"]["params"]["value"]["fields"]["scale"] = value
    elif place == "expand-values":
        doc = copy.deepcopy(templates["paramcoll"])
        doc["inputs"]["params"]["value"]["fields"]["scale"]["value"]["values"].append(value)
    else:  # model data are validated by pydantic, never decoded: a typed value there is plain data
        doc = copy.deepcopy(templates["model"])
        doc["inputs"]["p"]["value"]["data"]["x"] = value
    return doc


def _paths(document: Any) -> list[tuple[Any, ...]]:
    """Every position in *document* (object keys and list indices), in a fixed order."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if path:
            found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((path + (k,), v) for k, v in reversed(list(items)))
    return found


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _apply_field(doc: dict[str, Any], params: tuple[Any, ...], canaries: Canaries) -> dict[str, Any]:
    index, action, value = params
    paths = _paths(doc)
    path = paths[index % len(paths)]
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    value = _resolve(value, canaries)
    if action == "delete":
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[f"extra-{index}"] = value
    elif action == "add":
        parent.insert(last, value)
    else:
        parent[last] = value
    return doc


_DEEP_WRAPPERS = {
    "list": ("[", "]"),
    "dict": ('{"a": ', "}"),
    "tuple": ('{"$type": "tuple", "value": [', "]}"),
    "set": ('{"$type": "set", "value": [', "]}"),
    "expand": ('{"$type": "expand", "value": {"values": [', "]}}"),
    "task": ('{"$type": "task", "value": {"format": "smttask-task", "version": 1, "module": "hostile_tasks", '
             '"task": "double", "inputs": {"x": ', '}, "reason": null, "key": null}}'),
    "dict-tagged": ('{"$type": "dict", "value": [["k", ', "]]}"),
}


def _deep_text(depth: int, shape: str) -> str:
    if shape == "mixed":
        cycle = ["list", "dict", "tuple", "expand", "dict-tagged"]
        opens = "".join(_DEEP_WRAPPERS[cycle[i % 5]][0] for i in range(depth))
        closes = "".join(_DEEP_WRAPPERS[cycle[i % 5]][1] for i in reversed(range(depth)))
        return opens + "1" + closes
    opening, closing = _DEEP_WRAPPERS[shape]
    return opening * depth + "1" + closing * depth


def _apply_deep(doc: dict[str, Any], template: str, params: tuple[Any, ...]) -> str:
    depth, shape = params
    inputs = doc["inputs"]
    {
        "scalar": lambda: inputs.__setitem__("value", _DEEP),
        "mapping": lambda: inputs["d"].__setitem__("deep", _DEEP),
        "sequence": lambda: inputs["items"].append(_DEEP),
        "paramcoll": lambda: inputs["params"]["value"]["fields"].__setitem__("scale", _DEEP),
        "model": lambda: inputs["p"]["value"]["data"].__setitem__("x", _DEEP),
    }[template]()
    return json.dumps(doc).replace(json.dumps(_DEEP), _deep_text(depth, shape))


def _apply_huge(doc: dict[str, Any], params: tuple[Any, ...], templates: dict[str, dict[str, Any]]) -> str:
    place, kilobytes = params
    size = kilobytes << 10
    long_name = "x" * size
    inputs = doc["inputs"]
    if place == "module":
        doc["module"] = long_name
    elif place == "upstream-module":
        doc = copy.deepcopy(templates["upstream"])
        # Dotted: a million parts, each checked (1 MB at most, or checking alone takes seconds).
        doc["inputs"]["left"]["value"]["module"] = "a." * (min(size, 1 << 20) // 2) + "b"
    elif place == "task":
        doc["task"] = long_name
    elif place in ("enum-class", "model-class"):
        tag = place.partition("-")[0]
        inputs["value"] = _typed(tag, {"class": f"hostile_tasks:{long_name}", "value": 1, "data": {}})
    elif place == "create-cls":
        doc = copy.deepcopy(templates["create"])
        doc["inputs"]["cls"] = f"hostile_tasks:{long_name}"
    elif place == "tag":
        inputs["value"] = _typed(long_name, 1)
    elif place == "input-key":
        inputs[long_name] = 1
    elif place == "dict-key":
        inputs["value"] = {long_name: 1}
    elif place == "reason":
        doc["reason"] = "r\n\x00" * (size // 3)
    elif place == "key":
        doc["key"] = long_name
    elif place == "value":
        inputs["value"] = _typed("path", "/" + long_name)
    elif place == "format":
        doc["format"] = long_name
    elif place == "version":
        doc["version"] = long_name
    elif place == "bit_generator":
        doc = copy.deepcopy(templates["gen"])
        doc["inputs"]["value"]["value"]["bit_generator"] = long_name
    elif place == "scipy-dist":
        inputs["value"] = _typed("scipy.stats.frozen", {"dist": long_name, "args": [], "kwds": {}})
    elif place == "long-list":
        inputs["value"] = _typed("tuple", [0] * (size // 8))
    elif place == "control-value":
        inputs["value"] = _typed("path", "\x1b[2J\n\x00FORGED" * (size // 16))
    else:  # "digits-N": an integer with N digits (Python refuses to parse more than 4300)
        digits = int(place.partition("-")[2])
        doc["version"] = 1
        text = json.dumps(doc)
        return text.replace('"version": 1', f'"version": 1{"0" * digits}', 1).replace(
            '"n": 1', f'"n": {"7" * digits}', 1
        )
    return json.dumps(doc, ensure_ascii=False)


def _apply_json(doc: dict[str, Any], params: tuple[Any, ...]) -> bytes:
    damage, fraction = params
    text = json.dumps(doc, ensure_ascii=False)
    raw = text.encode("utf-8")
    cut = int(len(raw) * fraction)
    simple = {
        "empty": b"", "whitespace": b" \n\t ", "array": b"[1, 2]", "null": b"null", "number": b"1e999",
        "string": b'"smttask-task"', "binary": bytes(range(256)) * 4,
    }
    if damage in simple:
        return simple[damage]
    if damage == "truncate":
        return raw[: min(cut, len(raw) - 1)]
    if damage == "nul":
        return raw[:cut] + b"\x00" + raw[cut:]
    if damage == "bom":
        return b"\xef\xbb\xbf" + raw
    if damage == "utf16":
        return text.encode("utf-16")
    if damage == "latin1":
        return text.replace("smttask", "smttask\u00e9").encode("latin-1", "replace")
    if damage == "invalid-utf8":
        return raw[:cut] + b"\xff\xfe\xc3" + raw[cut:]
    if damage == "trailing":
        return raw + b' {"format": "smttask-task"}'
    if damage == "duplicate-module":
        return raw.replace(b'"module": ', b'"module": "os", "module": ', 1)
    if damage == "nan-version":
        return re.sub(rb'"version": \d+', b'"version": NaN', raw, count=1)
    if damage == "bigint-version":
        return re.sub(rb'"version": \d+', b'"version": 1e400', raw, count=1)
    if damage == "lone-surrogate":
        return raw.replace(b'"task": "', b'"task": "\\ud800FORGED', 1)
    return b"// a comment\n" + raw  # "comment"


def _apply_ref(doc: dict[str, Any], params: tuple[Any, ...]) -> dict[str, Any]:
    (how,) = params
    left, right = doc["inputs"]["left"], doc["inputs"]["right"]
    key = left["value"]["key"]
    if how == "unknown":
        right["value"] = {"ref": "0" * 32}
    elif how == "self":
        left["value"]["inputs"]["x"] = _typed("task", {"ref": key})
    elif how == "mutual":
        other = copy.deepcopy(left["value"])
        other["key"] = "f" * 32
        other["inputs"]["x"] = _typed("task", {"ref": key})
        left["value"]["inputs"]["x"] = _typed("task", other)
    elif how == "ref-int":
        right["value"] = {"ref": 5}
    elif how == "ref-huge":
        right["value"] = {"ref": "k" * (1 << 20)}
    elif how == "ref-control":
        right["value"] = {"ref": "\n\x00FORGED\x1b[2J"}
    elif how == "twice-different":
        twin = copy.deepcopy(left["value"])
        twin["inputs"]["x"] = 4
        right["value"] = twin
    elif how == "key-list":
        left["value"]["key"] = [key]
    elif how == "ref-and-key":
        right["value"] = {"ref": key, "key": "0" * 32, "module": "os", "task": "system"}
    else:  # "ref-extra"
        right["value"] = {"ref": key, "inputs": {"x": _typed("enum", {"class": "os:system", "value": 1})}}
    return doc


def _apply_table(doc: dict[str, Any], params: tuple[Any, ...]) -> dict[str, Any]:
    (how,) = params
    ((key, entry),) = doc["upstream"].items()
    if how == "not-object":
        doc["upstream"] = [entry]
    elif how == "entry-not-object":
        doc["upstream"][key] = "os:system"
    elif how == "entry-no-inputs":
        del entry["inputs"]
    elif how == "key-mismatch":
        entry["key"] = "0" * 32
    elif how == "missing":
        doc["upstream"] = {}
    elif how == "self":
        entry["inputs"]["x"] = _typed("task", {"ref": key})
    elif how == "mutual":
        other = copy.deepcopy(entry)
        other["key"] = "f" * 32
        other["inputs"]["x"] = _typed("task", {"ref": key})
        entry["inputs"]["x"] = _typed("task", {"ref": "f" * 32})
        doc["upstream"]["f" * 32] = other
    elif how == "inline":
        doc["inputs"]["right"] = _typed("task", {"format": doc["format"], "version": 1, **entry})
    elif how == "extra-hostile":
        entry["inputs"]["x"] = _typed("enum", {"class": "os:system", "value": "touch FORGED"})
    elif how == "module-os":
        entry["module"], entry["task"] = "os", "system"
    else:  # "many": a long table of entries nobody refers to, one of them hostile
        for i in range(2000):
            doc["upstream"][f"{i:032x}"] = {**entry, "key": f"{i:032x}"}
        doc["upstream"][f"{7:032x}"]["module"] = "shutil"
    return doc


def build(recipe: Recipe, templates: dict[str, dict[str, Any]], canaries: Canaries) -> bytes:
    """The bytes of the hostile file *recipe* describes."""
    doc = copy.deepcopy(templates[recipe.template])
    kind, params = recipe.kind, recipe.params
    if kind == "target":
        doc = _apply_target(doc, recipe.template, params, canaries, templates)
    elif kind == "typed":
        place, tag, value = params
        doc = _place_typed(doc, place, _typed(tag, _resolve(value, canaries)), templates)
    elif kind == "field":
        doc = _apply_field(doc, params, canaries)
    elif kind == "deep":
        return _apply_deep(doc, recipe.template, params).encode("utf-8")
    elif kind == "huge":
        return _apply_huge(doc, params, templates).encode("utf-8", "surrogatepass")
    elif kind == "json":
        return _apply_json(doc, params)
    elif kind == "ref":
        doc = _apply_ref(doc, params)
    elif kind == "table":
        doc = _apply_table(doc, params)
    elif kind == "module":
        module, upstream = params
        if upstream:
            doc = copy.deepcopy(templates["upstream"])
            doc["inputs"]["left"]["value"]["module"] = module
        else:
            doc["module"] = module
    else:
        raise AssertionError(f"unknown recipe kind {kind!r}")
    return json.dumps(doc).encode("utf-8")
