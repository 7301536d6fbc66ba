"""Task keys: what enters them, what does not, and that they never drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from core_tasks import Add, Identity, Iterate, Length, Mul, Total, read_text

from smttask import MemoizedTask, UnserializableValueError
from smttask.errors import UnpureKeyChangedWarning


def test_equal_inputs_give_the_same_task(project: Any) -> None:
    assert Add(a=1, b=2) == Add(a=1.0, b=2.0)
    assert Add(a=1, b=2).digest == Add(1, 2).digest
    assert len({Add(a=1, b=2), Add(a=1, b=2), Add(a=2, b=1)}) == 2


def test_key_is_128_bits_of_hex(project: Any) -> None:
    key = Add(a=1, b=2).digest
    assert len(key) == 32 and int(key, 16) >= 0


def test_upstream_task_identity_is_keyed(project: Any) -> None:
    # The original keyed only the upstream's inputs, so these collided.
    assert Mul(a=Mul(a=1, b=2), b=3).digest != Mul(a=Add(a=1, b=2), b=3).digest


def test_every_upstream_parameter_is_keyed(project: Any) -> None:
    # An iteration count is an ordinary parameter: it must change downstream keys.
    a = Add(a=Iterate(x0=1.0, n=2), b=0)
    b = Add(a=Iterate(x0=1.0, n=3), b=0)
    assert a.digest != b.digest


def test_dict_order_never_matters(project: Any) -> None:
    assert Identity(value={"x": 1, "y": 2}).digest == Identity(value={"y": 2, "x": 1}).digest
    nested_a = {"outer": {"x": [1, {"p": 1, "q": 2}], "y": 2}}
    nested_b = {"outer": {"y": 2, "x": [1, {"q": 2, "p": 1}]}}
    assert Identity(value=nested_a).digest == Identity(value=nested_b).digest


def test_set_order_never_matters(project: Any) -> None:
    first = {f"item{i}" for i in range(50)}
    second = set(sorted(first, reverse=True))
    assert Identity(value=first).digest == Identity(value=second).digest
    assert Identity(value=frozenset({3, 1, 2})).digest == Identity(value=frozenset({2, 3, 1})).digest


def test_values_of_different_types_never_collide(project: Any) -> None:
    keys = {Identity(value=v).digest for v in (1, 1.0, True, "1", b"1")}
    assert len(keys) == 5
    containers = {Identity(value=v).digest for v in ([1, 2], (1, 2), {1, 2}, frozenset({1, 2}), {"1": 2})}
    assert len(containers) == 5


def test_a_dict_cannot_impersonate_a_typed_value(project: Any) -> None:
    real = Identity(value=b"1")
    fake = Identity(value={"$type": "bytes", "value": "MQ=="})
    assert real.digest != fake.digest
    assert fake.run() == {"$type": "bytes", "value": "MQ=="}


def test_reason_never_changes_the_key(project: Any) -> None:
    assert Add(a=1, b=2, reason="first try").digest == Add(a=1, b=2, reason="other").digest
    assert Mul(a=Add(a=1, b=2, reason="x"), b=3).digest == Mul(a=Add(a=1, b=2), b=3).digest


def test_version_changes_the_key(project: Any) -> None:
    def f(x: int) -> int:
        return x

    v1 = MemoizedTask(version="1", name="t.f")(f)
    v2 = MemoizedTask(version="2", name="t.f")(f)
    assert v1(x=1).digest != v2(x=1).digest


def test_arrays_are_keyed_by_content_dtype_and_shape(project: Any) -> None:
    x = np.arange(12, dtype=float)
    assert Identity(value=x).digest == Identity(value=x.copy()).digest
    assert Identity(value=x).digest != Identity(value=x.astype(np.float32)).digest
    assert Identity(value=x).digest != Identity(value=x.reshape(3, 4)).digest
    changed = x.copy()
    changed[5] += 1e-12
    assert Identity(value=x).digest != Identity(value=changed).digest
    # Same logical array, different memory layout: same key.
    m = np.arange(12.0).reshape(3, 4)
    assert Identity(value=m).digest == Identity(value=np.asfortranarray(m)).digest


def test_unpure_key_derives_from_output_and_propagates(project: Any, tmp_path: Path) -> None:
    source = tmp_path / "db.txt"
    source.write_text("abc")
    first = Length(text=read_text(path=str(source)))
    key_before = first.digest
    fresh = read_text(path=str(source))
    assert first.run() == 3

    source.write_text("abcdef")
    upstream = read_text(path=str(source))
    assert upstream.digest == fresh.digest  # memoized: the change is not seen until recomputed
    with pytest.warns(UnpureKeyChangedWarning) as caught:
        upstream.run(recompute=True)
    assert caught[0].filename == __file__
    second = Length(text=upstream)
    assert second.digest != key_before
    assert second.run() == 6


def test_unpure_tasks_with_same_output_have_same_key(project: Any, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("same")
    (tmp_path / "b.txt").write_text("same")
    assert read_text(path=str(tmp_path / "a.txt")).digest == read_text(path=str(tmp_path / "b.txt")).digest


def test_unserializable_input_names_the_type(project: Any) -> None:
    class Opaque:
        pass

    with pytest.raises(UnserializableValueError, match=r"Opaque.*input 'value' of task 'Identity'.*register_serializer"):
        Identity(value=Opaque())


def test_tasks_in_containers_enter_by_key(project: Any) -> None:
    t = Total(values=[Add(a=1, b=2), 4.0])
    assert t.run() == 7.0
    assert t.digest != Total(values=[Mul(a=1, b=2), 4.0]).digest


# Golden keys: if one of these changes, every stored result and task file is
# orphaned. Change them only together with a documented key-format change.
GOLDEN = {
    "scalars": "Add(a=1, b=2.5)",
    "strings": "Identity(value='θ unicode ✓')",
    "nested": "Identity(value={'b': [1, 2.0, None, True], 'a': {'x': (1, 'y'), 's': {3, 1}}})",
    "array": "Identity(value=np.arange(6, dtype=np.int32).reshape(2, 3))",
    "upstream": "Mul(a=Add(a=1, b=2), b=Iterate(x0=0.5, n=3))",
    "bytes": "Identity(value=b'\\x00\\xff')",
}
GOLDEN_KEYS = {
    "scalars": "27bd97de50160e408dd1adff85c7b215",
    "strings": "2d551bd3ee7b1e3cd65533b0688a9fd6",
    "nested": "81448c8dca638b8a2ec22455e620405c",
    "array": "fe25ef57d012eb361345f399239a2302",
    "upstream": "b5070f967a1834a0b3b3d39edb5f6f7f",
    "bytes": "567bea605173cceeb03abcf52cb6ce62",
}


def test_key_is_blake2b_of_the_documented_canonical_text(project: Any) -> None:
    """The key format, written out by hand: sorted keys, no spaces, typed values."""
    import hashlib

    text = (
        '{"inputs":{"value":{"$type":"tuple","value":[1,1.0,"1",true,{"$type":"bytes","value":"MQ=="}]}},'
        '"task":"core_tasks:Identity","version":null}'
    )
    expected = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    assert Identity(value=(1, 1.0, "1", True, b"1")).digest == expected


@pytest.mark.parametrize("value", [1, -(2**70), 2.5, float("inf"), "1", "θ", True, None])
def test_plain_scalar_inputs_key_as_the_value_encoder_says(project: Any, value: Any) -> None:
    """Plain scalars skip the value encoder when a task is keyed; the key must be the one it gives."""
    import hashlib

    from smttask.canonical import canonical_json
    from smttask.encoding import encode

    encoded = encode(value, project.serializers, "key")
    text = '{"inputs":{"value":' + canonical_json(encoded) + '},"task":"core_tasks:Identity","version":null}'
    assert Identity(value=value).digest == hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_keys_never_drift(project: Any, name: str) -> None:
    task = eval(GOLDEN[name], {"np": np, "Add": Add, "Mul": Mul, "Identity": Identity, "Iterate": Iterate})
    assert task.digest == GOLDEN_KEYS[name]


def test_keys_are_equal_across_processes(project: Any) -> None:
    code = (
        "import numpy as np\n"
        "from core_tasks import Add, Mul, Identity, Iterate\n"
        f"tasks = {{k: eval(v) for k, v in {GOLDEN!r}.items()}}\n"
        "print({k: t.digest for k, t in tasks.items()})\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=project.root
    ).stdout
    here = {k: eval(v, {"np": np, "Add": Add, "Mul": Mul, "Identity": Identity, "Iterate": Iterate}).digest for k, v in GOLDEN.items()}
    assert eval(out) == here


def test_plain_items_beside_tasks_are_coerced_before_keying(project: Any) -> None:
    # list[float] given [task, 4] and [task, 4.0]: the same input, hence the same key.
    assert Total(values=[Add(a=1, b=2), 4]).digest == Total(values=[Add(a=1, b=2), 4.0]).digest
    assert Total(values=[Add(a=1, b=2), 4]).inputs["values"][1] == 4.0


def test_an_invalid_item_beside_a_task_fails_at_creation(project: Any) -> None:
    from smttask import TaskInputError

    with pytest.raises(TaskInputError, match="Invalid input 'values' for task 'Total'"):
        Total(values=[Add(a=1, b=2), "abc"])


@pytest.mark.parametrize("value", [1, -(2**70), 2.5, 0.0, -0.0, float("nan"), float("inf"), "1", "θ", True, None])
def test_a_second_task_with_the_same_plain_inputs_has_the_key_the_encoder_gives(project: Any, value: Any) -> None:
    """The second task of equal plain inputs takes its validation and key from the first: they must be its own."""
    import hashlib

    from smttask.canonical import canonical_json
    from smttask.encoding import encode

    first, second = Identity(value=value), Identity(value=value)
    encoded = encode(value, project.serializers, "key")
    text = '{"inputs":{"value":' + canonical_json(encoded) + '},"task":"core_tasks:Identity","version":null}'
    assert first.digest == second.digest == hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    assert type(second.inputs["value"]) is type(value)


def test_equal_plain_values_of_other_types_or_signs_stay_apart(project: Any) -> None:
    for _ in range(2):  # the second round comes from the memo of the first
        keys = {repr(v): Identity(value=v).digest for v in (1, 1.0, True, "1", 0.0, -0.0)}
        assert len(set(keys.values())) == len(keys), keys
    coerced = [Add(a=1, b=2).inputs["a"] for _ in range(2)]  # Add takes floats: 1 becomes 1.0 both times
    assert coerced == [1.0, 1.0] and all(type(a) is float for a in coerced)


def test_the_memo_of_plain_inputs_is_bounded_and_never_holds_a_refused_input(project: Any) -> None:
    from smttask.errors import TaskInputError
    from smttask.task import PLAIN_MEMO_SIZE

    for i in range(PLAIN_MEMO_SIZE + 10):
        Identity(value=i)
    assert 0 < len(Identity._plain_memo) <= PLAIN_MEMO_SIZE
    for _ in range(2):
        with pytest.raises(TaskInputError):
            Add(a="not a number", b=1)
