"""Saving and loading parameters: exact round trip, no pickle, validation on load."""

import numpy as np
import pytest

import backprop


def test_round_trip_is_exact(tmp_path):
    net = backprop.Network(
        [3, 5, 2], hidden="relu", output="softmax", loss="cross_entropy", dtype=np.float32, seed=9
    )
    net.save(tmp_path / "net.npz")
    back = backprop.Network.load(tmp_path / "net.npz")
    assert (back.sizes, back.hidden, back.output, back.loss_name, back.dtype) == (
        net.sizes,
        net.hidden,
        net.output,
        net.loss_name,
        net.dtype,
    )
    assert all(
        np.array_equal(a, b) for a, b in zip(net.weights + net.biases, back.weights + back.biases)
    )


def test_load_parameters_into_existing_network(tmp_path):
    a, b = backprop.Network([2, 3, 1], seed=1), backprop.Network([2, 3, 1], seed=2)
    a.save(tmp_path / "a.npz")
    b.load_parameters(tmp_path / "a.npz")
    assert np.array_equal(a.weights[0], b.weights[0])


def test_file_is_plain_arrays_without_pickle(tmp_path):
    backprop.Network([2, 2]).save(tmp_path / "n.npz")
    with np.load(tmp_path / "n.npz", allow_pickle=False) as f:
        assert {"W1", "b1", "sizes"} <= set(f.files)


def test_truncated_file_is_reported(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(
        path,
        sizes=np.array([2, 3, 1]),
        hidden=np.array("sigmoid"),
        output=np.array("sigmoid"),
        loss=np.array("mse"),
        dtype=np.array("float64"),
        W1=np.zeros((3, 2)),
        b1=np.zeros(3),
        W2=np.zeros((1, 4)),
        b2=np.zeros(1),
    )
    expected = r"'W2' must be real numbers of shape \(1, 3\).* got dtype float64 and shape \(1, 4\)"
    with pytest.raises(ValueError, match=expected):
        backprop.Network.load(path)


def test_not_a_network_file(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, foo=np.zeros(2))
    with pytest.raises(ValueError, match="not a saved backprop network"):
        backprop.Network.load(path)
    with pytest.raises(ValueError, match="must be a readable .npz file"):
        backprop.Network.load(tmp_path / "missing.npz")


def test_save_writes_exactly_the_given_path(tmp_path):
    net = backprop.Network([2, 3, 1], seed=4)
    net.save(tmp_path / "model")  # no suffix: np.savez would have written model.npz
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    np.testing.assert_array_equal(
        backprop.Network.load(tmp_path / "model").weights[0], net.weights[0]
    )
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        net.save(tmp_path)
    with pytest.raises(TypeError, match="path must be a file name"):
        net.save(3)
