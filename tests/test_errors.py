"""Bad input gets a ValueError/TypeError naming the argument, what was expected and what came.

One test per class of bad input, each run through every public entry point that takes such an
input: the protection is the shared validators of ``backprop._validate``, so a new entry point
that forgets them fails here.
"""

import zipfile

import numpy as np
import pytest

import backprop
from backprop import datasets, gradcheck, symbolic, train
from backprop.network import accuracy, one_hot


def expect(kind, call, name, got, expected="must"):
    """``call()`` raises ``kind`` whose message names ``name``, says ``expected`` and ``got``."""
    with pytest.raises(kind) as info:
        call()
    msg = str(info.value)
    assert name in msg, f"argument {name!r} not named in: {msg}"
    assert expected in msg, f"expectation {expected!r} missing from: {msg}"
    assert "got" in msg and got in msg, f"what came ({got!r}) missing from: {msg}"
    return msg


@pytest.fixture
def net():
    return backprop.Network([3, 4, 2], hidden="tanh", output="sigmoid", loss="mse")


@pytest.fixture
def clf():
    return backprop.Network([3, 4, 3], output="softmax", loss="cross_entropy")


X = np.ones((5, 3))
Y = np.zeros((5, 2))


# ----------------------------------------------------------------- complex / non-numeric arrays
BAD_ARRAYS = [
    (X + 1j, "complex128"),
    (np.array([["a", "b", "c"]] * 5), "<U1"),
    (np.array([[object()] * 3] * 5), "object"),
    ([[1, 2, 3], [4, 5]], "[[1, 2, 3], [4, 5]]"),
]


@pytest.mark.parametrize(("bad", "got"), BAD_ARRAYS)
def test_non_real_arrays_are_refused_everywhere(net, clf, bad, got):
    calls = {
        "X": [
            lambda: net.predict(bad),
            lambda: net.forward(bad),
            lambda: net.loss(bad, Y),
            lambda: net.gradients(bad, Y),
            lambda: net.backward(bad, Y),
            lambda: net.fit(bad, Y, epochs=1),
            lambda: net.accuracy(bad, np.zeros(5, int)),
            lambda: gradcheck.check_gradients(net, bad, Y),
            lambda: datasets.train_test_split(bad, np.zeros(5)),
        ],
        "Y": [lambda: net.loss(X, bad), lambda: net.fit(X, bad, epochs=1)],
        "y": [lambda: clf.accuracy(X, bad), lambda: datasets.train_test_split(X, bad)],
        "labels": [lambda: one_hot(bad, 3)],
        "gradients dWs[0]": [
            lambda: gradcheck.check_gradients(net, X, Y, gradients=([bad, bad], [bad, bad]))
        ],
        "a": [lambda: gradcheck.relative_error(bad, X)],
    }
    if isinstance(bad, list):  # a ragged list: only arguments that are whole arrays
        calls = {"X": calls["X"][:1], "Y": calls["Y"][:1]}
    for name, fns in calls.items():
        for fn in fns:
            expect(TypeError, fn, name, got)


def test_complex_scalars_and_strings_in_settings(net):
    expect(TypeError, lambda: net.fit(X, Y, learning_rate=0.1 + 0j), "learning_rate", "0j")
    expect(TypeError, lambda: net.fit(X, Y, epochs="3"), "epochs", "'3'")
    expect(TypeError, lambda: backprop.Network([2, 2], init=1j), "init", "1j")
    expect(TypeError, lambda: gradcheck.numerical_derivative(np.sum, 1j), "x", "complex")


# ----------------------------------------------------------------- absurd sizes, before allocating
def test_absurd_sizes_are_refused_before_allocating(tmp_path):
    limit = f"{backprop._validate.MAX_PARAMETERS:,}"
    expect(ValueError, lambda: backprop.Network([10**7, 10**7]), "sizes[0]", "10000000")
    expect(ValueError, lambda: backprop.Network([100, 90_000, 90_000, 2]), "sizes", limit)
    expect(ValueError, lambda: symbolic.SymbolicNetwork([30, 30, 1]), "sizes", "961")
    expect(ValueError, lambda: one_hot(np.zeros(3, int), 10**9), "n_classes", "1000000000")
    expect(ValueError, lambda: datasets.two_moons(10**12), "n", "1000000000000")
    expect(ValueError, lambda: train.check_settings(epochs=10**12), "epochs", "10**12"[:2])
    # a file whose recorded sizes are huge: refused from the header, nothing allocated
    path = tmp_path / "huge.npz"
    texts = {k: np.array(v) for k, v in [("hidden", "tanh"), ("output", "identity"),
             ("loss", "mse"), ("dtype", "float64")]}  # fmt: skip
    np.savez(path, sizes=np.array([10**6, 10**6]), **texts)
    expect(ValueError, lambda: backprop.Network.load(path), "huge.npz", "1000000")


def test_sizes_of_the_wrong_kind(net):
    expect(TypeError, lambda: backprop.Network({"n0": 2, "n1": 3}), "sizes", "'n0'")
    expect(TypeError, lambda: backprop.Network("23"), "sizes", "'23'")
    expect(TypeError, lambda: backprop.Network([2, 2.5]), "sizes[1]", "2.5")
    expect(ValueError, lambda: backprop.Network([2, 0]), "sizes[1]", "0")
    expect(ValueError, lambda: backprop.Network([2]), "sizes", "[2]")
    expect(TypeError, lambda: symbolic.SymbolicNetwork([2, 1.5, 1]), "sizes[1]", "1.5")
    expect(TypeError, lambda: backprop.Network([2, 2], dtype="banana"), "dtype", "banana")
    expect(TypeError, lambda: backprop.Network([2, 2], dtype=np.int64), "dtype", "int64")


# ----------------------------------------------------------------- seeds
@pytest.mark.parametrize(("bad", "kind"), [(-1, ValueError), (1.5, TypeError), ("a", TypeError)])
def test_every_seed_parameter_is_named(net, bad, kind):
    calls = [
        lambda: backprop.Network([2, 2], seed=bad),
        lambda: net.fit(X, Y, seed=bad),
        lambda: train.check_settings(seed=bad),
        lambda: datasets.two_moons(10, seed=bad),
        lambda: datasets.circles(10, seed=bad),
        lambda: datasets.spirals(10, seed=bad),
        lambda: datasets.xor(seed=bad),
        lambda: datasets.train_test_split(X, np.zeros(5), seed=bad),
        lambda: gradcheck.directional_check(net, X, Y, seed=bad),
        lambda: symbolic.SymbolicNetwork([1, 1]).random_point(seed=bad),
    ]
    for call in calls:
        expect(kind, call, "seed", repr(bad), "integer")


# ----------------------------------------------------------------- training settings
@pytest.mark.parametrize(
    ("kw", "kind", "got"),
    [
        ({"learning_rate": 0.0}, ValueError, "0.0"),
        ({"learning_rate": np.nan}, ValueError, "nan"),
        ({"batch_size": 0}, ValueError, "0"),
        ({"epochs": 2.5}, TypeError, "2.5"),
        ({"momentum": 1.0}, ValueError, "1.0"),
        ({"l2": -1.0}, ValueError, "-1.0"),
        ({"l1": -0.5}, ValueError, "-0.5"),
        ({"l1": "0.1"}, TypeError, "'0.1'"),
        ({"evaluate": "yes"}, TypeError, "'yes'"),
        ({"callback": 3}, TypeError, "3"),
        ({"learning_rate": {"value": 0.1}}, TypeError, "{'value': 0.1}"),
    ],
)
def test_bad_training_settings_are_named_once_for_all_callers(net, kw, kind, got):
    (name,) = kw
    expect(kind, lambda: train.check_settings(**kw), name, got)
    expect(kind, lambda: net.fit(X, Y, **kw), name, got)


def test_validation_errors_name_validation(net):
    expect(TypeError, lambda: net.fit(X, Y, validation=X), "validation", "array")
    expect(ValueError, lambda: net.fit(X, Y, validation=(X[:, :2], Y)), "validation[0]", "(5, 2)")
    expect(ValueError, lambda: net.fit(X, Y, validation=(X, Y[:3])), "validation[1]", "(3, 2)")
    expect(TypeError, lambda: net.fit(X, Y, validation=(X + 1j, Y)), "validation[0]", "complex")


# ----------------------------------------------------------------- inputs and targets
def test_input_shapes_and_values(net):
    expect(ValueError, lambda: net.predict(np.ones((5, 4))), "X", "(5, 4)", "(M, 3)")
    expect(ValueError, lambda: net.predict(np.ones(3)), "X", "(3,)", "2-D")
    expect(ValueError, lambda: net.predict(np.ones((0, 3))), "X", "(0, 3)", "at least one row")
    for bad in (np.nan, np.inf, -np.inf):
        Xb = X.copy()
        Xb[2, 1] = bad
        expect(ValueError, lambda Xb=Xb: net.predict(Xb), "X", "1 NaN or infinite", "finite")
    expect(ValueError, lambda: net.loss(X, np.zeros((4, 2))), "Y", "(4, 2)", "(5, 2)")
    expect(ValueError, lambda: net.gradients(X, np.zeros((5, 3))), "Y", "(5, 3)", "(M, 2)")
    one = backprop.Network([3, 2, 1], output="identity")
    expect(ValueError, lambda: one.loss(X, np.zeros(5)), "Y", "(5,)", "(5, 1)")
    expect(ValueError, lambda: net.local_jacobians(np.ones(4)), "x", "(4,)", "(3,)")


def test_targets_for_cross_entropy(clf):
    sig = backprop.Network([3, 2], output="sigmoid", loss="cross_entropy")
    expect(ValueError, lambda: sig.loss(X, np.full((5, 2), 2.0)), "Y", "2.0", "[0, 1]")
    expect(ValueError, lambda: clf.loss(X, np.full((5, 3), 0.5)), "Y", "1.5", "summing to 1")


@pytest.mark.parametrize(
    ("labels", "kind", "got"),
    [
        (np.array([0, 1, 2, 3, 0]), ValueError, "0 to 3"),
        (np.array([0, -1, 2, 1, 0]), ValueError, "-1 to 2"),
        (np.array([0.0, 1.0, 2.0, 1.0, 0.0]), TypeError, "float64"),
        (np.array(["0", "1", "2", "1", "0"]), TypeError, "<U1"),
    ],
)
def test_labels_everywhere(clf, labels, kind, got):
    expect(kind, lambda: clf.loss(X, labels), "Y", got, "0..2")
    expect(kind, lambda: clf.fit(X, labels, epochs=1), "Y", got, "0..2")
    expect(kind, lambda: clf.accuracy(X, labels), "y", got)
    expect(kind, lambda: one_hot(labels, 3), "labels", got)


def test_accuracy_targets_of_the_wrong_width(clf):
    expect(ValueError, lambda: clf.accuracy(X, np.zeros((5, 2))), "y", "(5, 2)", "(5, 3)")
    expect(ValueError, lambda: accuracy(np.zeros((5, 1)), np.zeros(4)), "y", "(4,)", "(5,)")
    expect(ValueError, lambda: accuracy(np.zeros((5, 1)), np.full(5, 2)), "y", "2", "0..1")


def test_unknown_choices(net):
    expect(ValueError, lambda: backprop.Network([2, 2], hidden="swish"), "hidden", "'swish'")
    expect(ValueError, lambda: backprop.Network([2, 2], output="relu"), "output", "'relu'")
    expect(ValueError, lambda: backprop.Network([2, 2], loss="hinge"), "loss", "'hinge'")
    expect(TypeError, lambda: backprop.Network([2, 2], hidden={"a": 1}), "hidden", "{'a': 1}")
    expect(ValueError, lambda: backprop.Network([2, 2], init="xavier"), "init", "'xavier'")
    with pytest.raises(ValueError, match="does not fit output 'identity'"):
        backprop.Network([2, 2], output="identity", loss="cross_entropy")


# ----------------------------------------------------------------- files
def _saved(tmp_path, **override):
    path = tmp_path / "net.npz"
    backprop.Network([2, 3, 1], seed=1).save(path)
    if override:
        with np.load(path) as f:
            data = {k: f[k] for k in f.files}
        data.update(override)
        np.savez(path, **data)
    return path


def test_unreadable_truncated_and_corrupted_files(tmp_path):
    missing = tmp_path / "missing.npz"
    expect(ValueError, lambda: backprop.Network.load(missing), "missing.npz", "No such file")
    good = _saved(tmp_path).read_bytes()
    for name, content in [("trunc.npz", good[: len(good) // 2]), ("noise.npz", b"\x00" * 300)]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=name):
            backprop.Network.load(path)
        with pytest.raises(ValueError, match=name):
            backprop.Network([2, 3, 1]).load_parameters(path)
    # flip bytes inside the compressed-free member data: the zip's CRC check catches it
    path = tmp_path / "flipped.npz"
    raw = bytearray(good)
    raw[len(raw) // 3] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="flipped.npz"):
        backprop.Network.load(path)
    assert zipfile.is_zipfile(tmp_path / "noise.npz") is False


@pytest.mark.parametrize(
    ("override", "array", "got"),
    [
        ({"W1": np.zeros((3, 2)) + 1j}, "W1", "complex128"),
        ({"W1": np.array([["a", "b"]] * 3)}, "W1", "<U1"),
        ({"b2": np.zeros(2)}, "b2", "(2,)"),
        ({"W2": np.full((1, 3), np.nan)}, "W2", "NaN"),
        ({"sizes": np.array([2.0, 3.0, 1.0])}, "sizes", "float64"),
        ({"sizes": np.array([2, -3, 1])}, "sizes", "-3"),
        ({"hidden": np.array(3)}, "hidden", "int64"),
        ({"hidden": np.array("swish")}, "hidden", "swish"),
        ({"dtype": np.array("complex128")}, "dtype", "complex128"),
    ],
)
def test_wrong_arrays_in_a_file_name_file_and_array(tmp_path, override, array, got):
    path = _saved(tmp_path, **override)
    msg = expect(ValueError, lambda: backprop.Network.load(path), "net.npz", got)
    assert array in msg, msg


def test_file_for_another_architecture(tmp_path, net):
    path = tmp_path / "other.npz"
    backprop.Network([3, 5, 2]).save(path)
    expect(ValueError, lambda: net.load_parameters(path), "other.npz", "[3, 5, 2]", "sizes")


# ----------------------------------------------------------------- the gradient checker
def test_gradient_checker_never_passes_a_broken_gradient(net):
    Xs, Ys = np.random.default_rng(0).normal(size=(4, 3)), np.random.default_rng(1).random((4, 2))
    dW, db = net.gradients(Xs, Ys)
    assert gradcheck.check_gradients(net, Xs, Ys).passed()
    for bad in (np.nan, np.inf):
        broken = [g.copy() for g in db]
        broken[0][0] = bad
        result = gradcheck.check_gradients(net, Xs, Ys, gradients=(dW, broken))
        assert not result.passed() and result.max_relative_error == np.inf
        assert gradcheck.directional_check(net, Xs, Ys, gradients=(dW, broken)) == np.inf
    assert gradcheck.relative_error([np.nan], [np.nan]) == np.inf

    def check(grads):
        return gradcheck.check_gradients(net, Xs, Ys, gradients=grads)

    expect(ValueError, lambda: check((dW[:1], db)), "dWs", "1", "2 arrays")
    expect(ValueError, lambda: check((dW, [db[0], db[0]])), "dbs[1]", "(4,)", "(2,)")
    expect(
        TypeError,
        lambda: gradcheck.check_gradients(net, Xs, Ys, gradients=dW[0]),
        "gradients",
        "array",
    )
    expect(ValueError, lambda: gradcheck.check_gradients(net, Xs, Ys, h=0), "h", "0", "(0, inf)")
    expect(ValueError, lambda: gradcheck.numerical_gradients(net, Xs, Ys, h=-1e-6), "h", "-1e-06")
    expect(ValueError, lambda: gradcheck.numerical_derivative(np.sum, [1.0], h=0), "h", "0")
    expect(ValueError, lambda: gradcheck.numerical_jacobian(np.sin, [1.0], h=np.inf), "h", "inf")
    expect(ValueError, lambda: gradcheck.directional_check(net, Xs, Ys, n_directions=0),
           "n_directions", "0")  # fmt: skip
    expect(ValueError, lambda: gradcheck.check_gradients(net, Xs, Ys).passed(tol=0), "tol", "0")


# ----------------------------------------------------------------- symbolic
def test_symbolic_impossible_parameters():
    s = symbolic.SymbolicNetwork([1, 1])
    expect(ValueError, lambda: s.random_point(denominator=0), "denominator", "0")
    expect(ValueError, lambda: s.random_point(span=-1), "span", "-1")
    expect(TypeError, lambda: s.random_point(span=0.5), "span", "0.5")
    expect(TypeError, lambda: s.random_point(one_hot_target="yes"), "one_hot_target", "'yes'")
    expect(ValueError, lambda: symbolic.assert_exact(s.loss, s.loss, []), "points", "[]")
    expect(TypeError, lambda: symbolic.assert_exact(s.loss, s.loss, [3]), "points[0]", "3")


# ----------------------------------------------------------------- data sets
def test_dataset_parameters_checked_on_every_path():
    expect(ValueError, lambda: datasets.xor(noise=0.1), "noise", "0.1")
    expect(ValueError, lambda: datasets.xor(noise=-1.0), "noise", "-1.0")
    expect(ValueError, lambda: datasets.xor(8, noise=np.nan), "noise", "nan")
    for turns in (np.inf, np.nan):
        expect(
            ValueError, lambda turns=turns: datasets.spirals(10, turns=turns), "turns", str(turns)
        )
    expect(TypeError, lambda: datasets.spirals(10, turns="1"), "turns", "'1'")
    expect(ValueError, lambda: datasets.spirals(4, classes=5), "classes", "5")
    expect(TypeError, lambda: datasets.circles(10, factor=None), "factor", "None")
    expect(ValueError, lambda: datasets.two_moons(0), "n", "0")


def test_splits_never_leave_an_empty_training_set():
    one = np.ones((1, 2)), np.zeros(1)
    expect(ValueError, lambda: datasets.train_test_split(*one), "test_fraction", "no training row")
    two = np.ones((2, 2)), np.zeros(2)
    expect(ValueError, lambda: datasets.train_test_split(*two, test_fraction=0.9), "test_fraction",
           "2 test rows")  # fmt: skip
    expect(ValueError, lambda: datasets.train_test_split(*two, test_fraction=1.0), "test_fraction",
           "1.0")  # fmt: skip
    parts = datasets.train_test_split(*two, test_fraction=0.5)
    assert len(parts[0]) == len(parts[1]) == 1


def test_minibatch_iterator_arguments():
    rng = np.random.default_rng(0)
    expect(TypeError, lambda: list(train.minibatches(X, Y, 2, 0)), "rng", "0")
    expect(ValueError, lambda: list(train.minibatches(X, Y, 0, rng)), "batch_size", "0")
    expect(ValueError, lambda: list(train.minibatches(X, Y[:3], 2, rng)), "Y", "3")
