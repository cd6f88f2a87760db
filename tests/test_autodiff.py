"""The reverse-mode engine (backprop.autodiff) and its scalar twin (backprop.autodiff_scalar).

References: the network's own backward pass (Network.gradients, to 1e-12), and central finite
differences for every primitive and for random compositions of them. The checker is tested
too: a planted wrong VJP must be caught.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop
from backprop import autodiff as ad
from backprop import autodiff_scalar as sc
from backprop.gradcheck import numerical_derivative, relative_error

CONFIGS = [
    ("sigmoid", "sigmoid", "mse"),
    ("tanh", "identity", "mse"),
    ("relu", "identity", "mse"),
    ("identity", "sigmoid", "mse"),
    ("tanh", "softmax", "mse"),
    ("sigmoid", "softmax", "cross_entropy"),
    ("relu", "softmax", "cross_entropy"),
    ("tanh", "sigmoid", "cross_entropy"),
]


def targets(output, M, n, rng):
    if output == "softmax":
        return np.eye(n)[rng.integers(0, n, size=M)]
    return rng.uniform(size=(M, n)) if output == "sigmoid" else rng.normal(size=(M, n))


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=6),
    config=st.sampled_from(CONFIGS),
    M=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_engine_equals_network_gradients(sizes, config, M, seed):
    hidden, output, loss = config
    if output == "softmax" and sizes[-1] < 2:
        sizes = sizes[:-1] + [2]
    net = backprop.Network(sizes, hidden=hidden, output=output, loss=loss, seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(M, sizes[0])), targets(output, M, sizes[-1], rng)
    graph = ad.record_network(net.weights, net.biases, X, Y, hidden, output, loss)
    assert float(graph.loss.value) == pytest.approx(net.loss(X, Y), rel=1e-12, abs=1e-15)
    dW, db = ad.network_gradients(net.weights, net.biases, X, Y, hidden, output, loss)
    rW, rb = net.gradients(X, Y)
    assert len(dW) == len(rW) and len(db) == len(rb)
    for mine, ref in zip(dW + db, rW + rb):
        assert mine.shape == ref.shape
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12)


def _torch():
    """PyTorch if it can be imported, also from ``BACKPROP_BENCH_TORCH_PATH`` (the benchmarks'
    convention: the book does not depend on PyTorch), else skip."""
    import os
    import sys

    extra = os.environ.get("BACKPROP_BENCH_TORCH_PATH")
    if extra and extra not in sys.path:
        sys.path.append(extra)
    return pytest.importorskip("torch")


TORCH_ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "identity": None}


@pytest.mark.parametrize("hidden,output", [("sigmoid", "sigmoid"), ("tanh", "identity")])
def test_engine_equals_pytorch_autograd(hidden, output):
    """The engine's adjoints of every W^l and b^l are PyTorch's loss.backward() (the check the
    autodiff chapter mentions), on a batch, with the package's loss: the mean of the
    per-sample halved squared errors."""
    torch = _torch()
    net = backprop.Network([3, 4, 3, 2], hidden=hidden, output=output, loss="mse", seed=7)
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    graph = ad.record_network(net.weights, net.biases, X, Y, hidden, output, "mse")
    graph.tape.backward(graph.loss)
    Wt = [torch.tensor(W, requires_grad=True) for W in net.weights]
    bt = [torch.tensor(b[:, None], requires_grad=True) for b in net.biases]
    a = torch.tensor(X.T)  # samples as columns, as on the tape
    for l, (W, b) in enumerate(zip(Wt, bt), start=1):
        name = TORCH_ACTIVATIONS[hidden if l < net.L else output]
        z = W @ a + b
        a = z if name is None else getattr(torch, name)(z)
    loss = 0.5 * ((a - torch.tensor(Y.T)) ** 2).sum() / X.shape[0]
    loss.backward()
    assert float(loss.detach()) == pytest.approx(float(graph.loss.value), rel=1e-14)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(graph.W[l].grad, Wt[l - 1].grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(graph.b[l].grad, bt[l - 1].grad.numpy()[:, 0], rtol=1e-12)


@pytest.mark.parametrize("config", CONFIGS)
def test_adjoint_of_z_is_delta(config):
    """On one sample the adjoint of z^l is delta^l and the weight adjoint delta^l (a^{l-1})^T."""
    hidden, output, loss = config
    net = backprop.Network([3, 4, 4, 3], hidden=hidden, output=output, loss=loss, seed=3)
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(1, 3)), targets(output, 1, 3, rng)
    g = ad.record_network(net.weights, net.biases, x, y, hidden, output, loss)
    g.tape.backward(g.loss)
    bp = net.backward(x, y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(g.z[l].grad[:, 0], bp.delta[l][0], rtol=1e-12, atol=1e-14)
        outer = np.outer(g.z[l].grad[:, 0], g.a[l - 1].value[:, 0])
        np.testing.assert_allclose(g.W[l].grad, outer, rtol=1e-14, atol=1e-16)
        np.testing.assert_array_equal(g.b[l].grad, g.z[l].grad[:, 0])


def primitive_cases(rng):
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    Y = rng.uniform(size=(3, 4))
    Z = rng.normal(size=(3, 4))
    Z[np.abs(Z) < 0.05] = 0.5  # ReLU: stay away from the kink
    return {
        "matmul": ((rng.normal(size=(2, 3)), A), {}),
        "add_bias": ((A, rng.normal(size=3)), {}),
        "add": ((A, B), {}),
        "sub": ((A, B), {}),
        "mul": ((A, B), {}),
        "scale": ((A,), {"c": -1.7}),
        "total": ((A,), {}),
        "sigmoid": ((3 * A,), {}),
        "tanh": ((A,), {}),
        "relu": ((Z,), {}),
        "softmax": ((A,), {}),
        "softmax_cross_entropy": ((A,), {"Y": Y}),
        "sigmoid_cross_entropy": ((A,), {"Y": Y}),
    }


def test_every_primitive_is_tested():
    assert set(primitive_cases(np.random.default_rng(0))) == set(ad.PRIMITIVES)


@pytest.mark.parametrize("name", sorted(primitive_cases(np.random.default_rng(0))))
def test_vjp_matches_finite_differences(name):
    inputs, params = primitive_cases(np.random.default_rng(1))[name]
    assert ad.check_vjp(name, *inputs, **params) < 1e-7


def test_relu_vjp_is_zero_at_the_kink_like_the_network():
    tape = ad.Tape()
    z = tape.leaf(np.array([[-1.0, 0.0, 2.0]]))
    tape.backward(ad.total(ad.relu(z)))
    np.testing.assert_array_equal(z.grad, [[0.0, 0.0, 1.0]])
    z0 = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(backprop.activations.relu_derivative(z0, z0), [0.0, 0.0, 1.0])


def test_sigmoid_saturates_without_overflow():
    tape = ad.Tape()
    z = tape.leaf(np.array([[-500.0, 500.0]]))
    with np.errstate(all="raise"):
        tape.backward(ad.total(ad.sigmoid(z)))
    assert np.all(np.isfinite(z.grad)) and np.abs(z.grad).max() < 1e-200


UNARY = ["tanh", "sigmoid", "softmax", "scale", "square"]
BINARY = ["add", "sub", "mul", "matmul", "add_bias"]


def run_program(program, leaves, n):
    """Replay a random program on the leaves; every step may reuse any earlier node (fan-out)."""
    nodes = list(leaves[:-1])
    bias = leaves[-1]
    for op, i, j in program:
        x, y = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "scale":
            out = ad.scale(x, 0.7)
        elif op == "square":
            out = x * x
        elif op == "add_bias":
            out = ad.add_bias(x, bias)
        elif op in UNARY:
            out = getattr(ad, op)(x)
        else:
            out = getattr(ad, op)(x, y)
        if op in ("mul", "matmul", "square"):
            out = ad.tanh(out)  # keep values of order one through long programs
        nodes.append(out)
    return ad.total(nodes[-1] * nodes[-1]) if len(nodes) > 2 else ad.total(nodes[-1])


@settings(max_examples=40, deadline=None)
@given(
    program=st.lists(
        st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=8,
    ),
    n=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_random_compositions_match_finite_differences(program, n, seed):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=(n, n)) for _ in range(2)] + [rng.normal(size=n)]
    tape = ad.Tape()
    leaves = [tape.leaf(v) for v in values]
    tape.backward(run_program(program, leaves, n))
    for i, leaf in enumerate(leaves):

        def f(v, i=i):
            t = ad.Tape()
            vs = [t.leaf(v if k == i else values[k]) for k in range(len(values))]
            return float(run_program(program, vs, n).value)

        grad = np.zeros_like(values[i]) if leaf.grad is None else leaf.grad
        numeric = numerical_derivative(f, values[i])
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.fixture
def wrong_tanh():
    """Plant tanh' = 1 - a (the square forgotten) and restore the right rule afterwards."""
    right = ad.PRIMITIVES["tanh"]
    ad.defprim("tanh", right.forward, lambda g, A, Z: (g * (1 - A),))
    yield
    ad.PRIMITIVES["tanh"] = right


def test_planted_wrong_vjp_is_caught(wrong_tanh):
    rng = np.random.default_rng(2)
    assert ad.check_vjp("tanh", rng.normal(size=(3, 2))) > 1e-2
    net = backprop.Network([3, 4, 2], hidden="tanh", output="identity", loss="mse", seed=0)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    dW, _ = ad.network_gradients(net.weights, net.biases, X, Y, "tanh", "identity", "mse")
    assert relative_error(dW[0], net.gradients(X, Y)[0][0]) > 1e-2
    np.testing.assert_allclose(dW[1], net.gradients(X, Y)[0][1], rtol=1e-12)  # above the bug


def test_planted_rule_is_restored():
    assert ad.check_vjp("tanh", np.linspace(-2, 2, 6).reshape(2, 3)) < 1e-8


def test_fan_out_adds_adjoints():
    tape = ad.Tape()
    x = tape.leaf(np.array([[1.5, -2.0]]))
    y = x * x + ad.tanh(x)  # x feeds three uses: both factors and the tanh
    tape.backward(ad.total(y))
    np.testing.assert_allclose(x.grad, 2 * x.value + 1 - np.tanh(x.value) ** 2, rtol=1e-15)
    v = sc.Value(1.5)
    w = v * v + v.tanh()
    w.backward()
    assert v.grad == pytest.approx(2 * 1.5 + 1 - np.tanh(1.5) ** 2, rel=1e-15)


def test_backward_twice_gives_the_same_adjoints():
    tape = ad.Tape()
    x = tape.leaf(np.array([[0.3, 0.4]]))
    out = ad.total(x * x)
    tape.backward(out)
    first = x.grad.copy()
    tape.backward(out)
    np.testing.assert_array_equal(x.grad, first)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
def test_scalar_values_equal_network_gradients(hidden):
    net = backprop.Network([2, 3, 2], hidden=hidden, output="sigmoid", loss="mse", seed=1)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 2)), rng.uniform(size=(3, 2))
    C, W, b = sc.network_loss(net.weights, net.biases, X, Y, hidden, "sigmoid")
    n_ops = C.backward()
    assert C.data == pytest.approx(net.loss(X, Y), rel=1e-13)
    rW, rb = net.gradients(X, Y)
    for l in range(net.L):
        np.testing.assert_allclose([[v.grad for v in row] for row in W[l]], rW[l], rtol=1e-12)
        np.testing.assert_allclose([v.grad for v in b[l]], rb[l], rtol=1e-12)
    n, M = net.sizes, len(X)
    s = [0] + [int(hidden != "identity")] * (net.L - 1) + [1]
    expected = M * (sum(n[l] * (2 * n[l - 1] + s[l]) for l in range(1, net.L + 1)) + 3 * n[-1])
    assert n_ops == expected


def test_tape_keeps_every_value():
    net = backprop.Network([4, 5, 3], hidden="tanh", output="sigmoid", loss="mse", seed=0)
    X, Y = np.ones((7, 4)), np.zeros((7, 3))
    g = ad.record_network(net.weights, net.biases, X, Y, "tanh", "sigmoid", "mse")
    n, M = net.sizes, 7
    P = sum(n[l] * (n[l - 1] + 1) for l in (1, 2))
    floats = M * n[0] + P + 3 * M * sum(n[1:]) + 2 * M * n[-1] + 2  # a0, params, u z a, y d, C
    floats += M * n[-1]  # d*d
    assert g.tape.nbytes == 8 * floats
    assert len(g.tape.nodes) == 2 + 2 * 2 + 3 * 2 + 4


def test_errors_are_loud():
    tape = ad.Tape()
    A, B = tape.leaf(np.ones((2, 3))), tape.leaf(np.ones((3, 2)))
    with pytest.raises(ValueError, match="equal shapes"):
        A + B
    with pytest.raises(ValueError, match=r"\(n, k\) @ \(k, m\)"):
        A @ A
    with pytest.raises(ValueError, match="add_bias"):
        ad.add_bias(A, tape.leaf(np.ones(3)))
    with pytest.raises(ValueError, match="scalar"):
        tape.backward(A)
    with pytest.raises(TypeError, match="one tape"):
        ad.add(A, ad.Tape().leaf(np.ones((2, 3))))
    with pytest.raises(ValueError, match="target shape"):
        ad.softmax_cross_entropy(A, np.ones((3, 2)))
    with pytest.raises(ValueError, match="X \\(M, n_0\\)"):
        ad.record_network([np.ones((2, 3))], [np.ones(2)], np.ones((4, 3)), np.ones((4, 3)))


def test_wrong_vjp_shape_is_reported():
    right = ad.PRIMITIVES["add_bias"]
    try:
        ad.defprim("add_bias", right.forward, lambda g, Z, U, b: (g, g))  # b's adjoint not summed
        tape = ad.Tape()
        out = ad.add_bias(tape.leaf(np.ones((2, 3))), tape.leaf(np.ones(2)))
        with pytest.raises(ValueError, match="returned shape"):
            tape.backward(ad.total(out))
    finally:
        ad.PRIMITIVES["add_bias"] = right


def test_chapter_equations_catch_a_wrong_engine_rule(wrong_tanh):
    """The labelled equations of autodiff.md are evaluated on the engine's adjoints, so a wrong
    VJP in the engine fails the chapter's check, at the equation of that rule."""
    from pathlib import Path

    from backprop import equations

    chapter = Path(__file__).resolve().parents[1] / "chapters" / "autodiff.md"
    with pytest.raises(equations.EquationError, match="eq-ad-vjp-act"):
        equations.check_chapter(chapter)


def test_chapter_equations_hold_with_the_right_rules():
    from pathlib import Path

    from backprop import equations

    chapter = Path(__file__).resolve().parents[1] / "chapters" / "autodiff.md"
    report = equations.check_chapter(chapter)
    assert {"eq-ad-four", "eq-ad-vjp-act", "eq-ad-op-count"} <= set(report.checked)
