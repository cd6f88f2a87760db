r"""Reverse-mode automatic differentiation: a tape of primitives, each with its VJP beside it.

A :class:`Tape` records every primitive operation of a forward pass as a :class:`Node` (its
value, the nodes it was computed from, the primitive's name). :meth:`Tape.backward` seeds the
adjoint $\bar C = 1$ of a scalar output and walks the tape backwards: every node hands its
adjoint to its inputs through the primitive's vector-Jacobian product (VJP), and an input that
receives several contributions adds them (Equation :eq:`eq-ad-fanout`).

The adjoint of a node $v$ is $\bar v = (\partial C/\partial v)^\T$ in the shape of $v$
(Equation :eq:`eq-ad-adjoint`). Vectors of one sample are columns, as in the book; a batch of
$M$ samples is the matrix whose columns are the samples, $A^0 = X^\T$ of shape $(n_0, M)$.

Each primitive is registered in ``PRIMITIVES`` as a forward function and its VJP, next to the
public function that applies it; replacing an entry plants a wrong VJP (the tests do that on
purpose, and :func:`check_vjp` catches it). The engine is a teaching and checking tool:
:class:`backprop.Network` keeps its own backward pass, and the chapter shows that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .gradcheck import numerical_derivative, relative_error


class Node:
    r"""One value of a forward pass, recorded on a :class:`Tape`.

    ``value``: an array of any shape (a loss is 0-d); ``grad``: its adjoint $\bar v$, same shape,
    ``None`` until :meth:`Tape.backward` reaches it; ``op``: the primitive that made it
    (``"leaf"`` for an input); ``parents``: the nodes it was computed from; ``params``: the
    primitive's arguments that are not differentiated (a constant, a target).
    """

    __slots__ = ("value", "grad", "op", "parents", "params", "name", "tape")

    def __init__(self, tape, value, op="leaf", parents=(), params=None, name=""):
        self.tape, self.value, self.op = tape, value, op
        self.parents, self.params, self.name = tuple(parents), dict(params or {}), name
        self.grad = None

    def __matmul__(self, other):
        return matmul(self, other)

    def __add__(self, other):
        return add(self, other)

    def __sub__(self, other):
        return sub(self, other)

    def __mul__(self, other):
        return mul(self, other)

    def __repr__(self):
        return f"Node({self.name or self.op}, shape={self.value.shape})"


class Tape:
    """The list of nodes in the order the forward pass created them (a topological order)."""

    def __init__(self):
        self.nodes: list[Node] = []
        self.n_vjps = 0  # VJPs evaluated by the last backward pass

    def leaf(self, value, name: str = "") -> Node:
        """An input node (a parameter, the data, a target) holding a float64 copy of ``value``."""
        node = Node(self, np.array(value, dtype=np.float64), name=name)
        self.nodes.append(node)
        return node

    def backward(self, out: Node) -> None:
        r"""Adjoints of every node that ``out`` depends on: seed $\bar C = 1$, walk backwards.

        In the book: the seed :eq:`eq-ad-seed`, each primitive's rule :eq:`eq-ad-vjp` and the
        sum over a node's uses :eq:`eq-ad-fanout`.
        """
        if out.tape is not self or out.value.shape != ():
            raise ValueError(f"backward needs a scalar node of this tape, got {out!r}")
        for node in self.nodes:
            node.grad = None
        out.grad = np.ones(())  # eq-ad-seed
        self.n_vjps = 0
        for node in reversed(self.nodes):
            if node.grad is None or node.op == "leaf":
                continue  # not on a path to out, or an input
            inputs = [p.value for p in node.parents]
            grads = PRIMITIVES[node.op].vjp(node.grad, node.value, *inputs, **node.params)
            self.n_vjps += 1
            for parent, g in zip(node.parents, grads):
                if np.shape(g) != parent.value.shape:
                    raise ValueError(
                        f"the VJP of {node.op!r} returned shape {np.shape(g)} for an input of "
                        f"shape {parent.value.shape}"
                    )
                parent.grad = g if parent.grad is None else parent.grad + g  # eq-ad-fanout

    @property
    def nbytes(self) -> int:
        """Bytes of all the values the tape keeps alive for the backward pass."""
        return sum(node.value.nbytes for node in self.nodes)


class Primitive(NamedTuple):
    """``forward(*inputs, **params) -> value``; ``vjp(g, value, *inputs, **params) -> tuple``."""

    forward: Callable
    vjp: Callable


PRIMITIVES: dict[str, Primitive] = {}


def defprim(name: str, forward: Callable, vjp: Callable) -> None:
    """Register (or replace) the primitive ``name``: its forward function and its VJP."""
    PRIMITIVES[name] = Primitive(forward, vjp)


def apply(name: str, *inputs: Node, **params) -> Node:
    """Run primitive ``name`` on the values of ``inputs`` and record the result on their tape."""
    tape = inputs[0].tape
    if any(not isinstance(x, Node) or x.tape is not tape for x in inputs):
        raise TypeError(f"{name}: every input must be a Node of one tape, got {inputs!r}")
    value = np.asarray(PRIMITIVES[name].forward(*(x.value for x in inputs), **params))
    node = Node(tape, value, name, inputs, params)
    tape.nodes.append(node)
    return node


def _same_shape(name, *arrays):
    if len({a.shape for a in arrays}) != 1:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{name} needs equal shapes (no broadcasting), got {shapes}")


def _matmul(A, B):
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul needs (n, k) @ (k, m), got {A.shape} @ {B.shape}")
    return A @ B


def matmul(A: Node, B: Node) -> Node:
    r"""$C = AB$, ``(n, k), (k, m) -> (n, m)``; a layer's $u^l = W^l a^{l-1}$.

    VJP (Equation :eq:`eq-ad-vjp-matmul`): $\bar A = \bar C B^\T$, $\bar B = A^\T \bar C$.
    """
    return apply("matmul", A, B)


defprim("matmul", _matmul, lambda g, C, A, B: (g @ B.T, A.T @ g))


def _add_bias(U, b):
    if U.ndim != 2 or b.shape != (U.shape[0],):
        raise ValueError(f"add_bias needs U (n, M) and b (n,), got {U.shape} and {b.shape}")
    return U + b[:, None]


def add_bias(U: Node, b: Node) -> Node:
    r"""$Z = U + b\,\mathbf 1^\T$, ``(n, M), (n,) -> (n, M)``: $b$ added to every column.

    VJP (Equation :eq:`eq-ad-vjp-bias`): $\bar U = \bar Z$, $\bar b = \bar Z \mathbf 1$.
    """
    return apply("add_bias", U, b)


defprim("add_bias", _add_bias, lambda g, Z, U, b: (g, g.sum(axis=1)))


def add(A: Node, B: Node) -> Node:
    r"""$A + B$ (equal shapes). VJP: $\bar A = \bar B = \bar C$."""
    return apply("add", A, B)


def sub(A: Node, B: Node) -> Node:
    r"""$A - B$ (equal shapes). VJP: $\bar A = \bar C$, $\bar B = -\bar C$."""
    return apply("sub", A, B)


def mul(A: Node, B: Node) -> Node:
    r"""$A \odot B$ (equal shapes). VJP: $\bar A = \bar C \odot B$, $\bar B = \bar C \odot A$."""
    return apply("mul", A, B)


def _binary(name, op):
    def forward(A, B):
        _same_shape(name, A, B)
        return op(A, B)

    return forward


defprim("add", _binary("add", np.add), lambda g, C, A, B: (g, g))
defprim("sub", _binary("sub", np.subtract), lambda g, C, A, B: (g, -g))
defprim("mul", _binary("mul", np.multiply), lambda g, C, A, B: (g * B, g * A))


def scale(A: Node, c: float) -> Node:
    r"""$cA$ for a constant $c$. VJP: $\bar A = c\,\bar B$."""
    return apply("scale", A, c=float(c))


defprim("scale", lambda A, c: c * A, lambda g, B, A, c: (c * g,))


def total(A: Node) -> Node:
    r"""$s = \sum_{ij} A_{ij}$, a 0-d array. VJP: $\bar A = \bar s\, \mathbf 1 \mathbf 1^\T$."""
    return apply("total", A)


defprim("total", lambda A: np.sum(A), lambda g, s, A: (g * np.ones_like(A),))


def _sigmoid(Z):
    return np.exp(-np.logaddexp(0.0, -Z))  # 1/(1+e^{-z}) without overflow


def sigmoid(Z: Node) -> Node:
    r"""$\sigma(Z)$ entrywise. VJP (:eq:`eq-ad-vjp-act`): $\bar Z = \bar A \odot A \odot (1-A)$."""
    return apply("sigmoid", Z)


def tanh(Z: Node) -> Node:
    r"""$\tanh(Z)$ entrywise. VJP (:eq:`eq-ad-vjp-act`): $\bar Z = \bar A \odot (1 - A^2)$."""
    return apply("tanh", Z)


def relu(Z: Node) -> Node:
    r"""$\max(Z, 0)$ entrywise. VJP (:eq:`eq-ad-vjp-act`): $\bar Z = \bar A \odot [Z > 0]$."""
    return apply("relu", Z)


defprim("sigmoid", _sigmoid, lambda g, A, Z: (g * A * (1 - A),))
defprim("tanh", np.tanh, lambda g, A, Z: (g * (1 - A * A),))
defprim("relu", lambda Z: np.maximum(Z, 0.0), lambda g, A, Z: (g * (Z > 0),))


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax(Z: Node) -> Node:
    r"""Softmax of every column of ``Z`` ``(n, M)``.

    VJP, column by column: $\bar z = a \odot (\bar a - (a^\T \bar a)\,\mathbf 1)$.
    """
    return apply("softmax", Z)


defprim("softmax", _softmax, lambda g, A, Z: (A * (g - (A * g).sum(axis=0, keepdims=True)),))


def _check_target(name, Z, Y):
    if Y.shape != Z.shape:
        raise ValueError(f"{name}: target shape {Y.shape} differs from logits shape {Z.shape}")


def softmax_cross_entropy(Z: Node, Y: np.ndarray) -> Node:
    r"""$\sum_m [s_m \operatorname{lse}(z_m) - y_m^\T z_m]$ with $s_m = \mathbf 1^\T y_m$.

    Over the columns $z_m$ of ``Z`` ``(n, M)``, targets ``Y`` ``(n, M)`` (not differentiated);
    $\operatorname{lse}(z) = \log \sum_j e^{z_j}$ is the log-sum-exp.

    VJP: $\bar Z = \bar c\,\big(\operatorname{softmax}(Z)\, \operatorname{diag}(\mathbf 1^\T Y)
    - Y\big)$, which is $\bar c\,(A - Y)$ for one-hot targets.

    In the book: Equations :eq:`eq-ce-lse-cost` and :eq:`eq-ce-delta`.
    """
    return apply("softmax_cross_entropy", Z, Y=np.asarray(Y, dtype=np.float64))


def _sce(Z, Y):
    _check_target("softmax_cross_entropy", Z, Y)
    m = Z.max(axis=0)
    lse = m + np.log(np.exp(Z - m).sum(axis=0))
    return np.sum(Y.sum(axis=0) * lse) - np.sum(Y * Z)


defprim("softmax_cross_entropy", _sce, lambda g, c, Z, Y: (g * (_softmax(Z) * Y.sum(0) - Y),))


def sigmoid_cross_entropy(Z: Node, Y: np.ndarray) -> Node:
    r"""$\sum_{jm} \big[\operatorname{softplus}(Z_{jm}) - Y_{jm} Z_{jm}\big]$, the binary
    cross-entropy of $\sigma(Z)$ against ``Y`` (same shape, not differentiated).

    VJP: $\bar Z = \bar c\,(\sigma(Z) - Y)$.
    """
    return apply("sigmoid_cross_entropy", Z, Y=np.asarray(Y, dtype=np.float64))


def _bce(Z, Y):
    _check_target("sigmoid_cross_entropy", Z, Y)
    return np.sum(np.logaddexp(0.0, Z) - Y * Z)


defprim("sigmoid_cross_entropy", _bce, lambda g, c, Z, Y: (g * (_sigmoid(Z) - Y),))

ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}


@dataclass
class Graph:
    r"""The recorded forward pass of a dense network (1-based dicts, as in the book).

    ``W[l]``, ``b[l]``: parameter leaves; ``u[l]`` $= W^l a^{l-1}$, ``z[l]`` $= u^l + b^l$,
    ``a[l]`` $= \sigma_l(z^l)$, all ``(n_l, M)``; ``a[0]`` is the input leaf $X^\T$.
    ``loss``: the scalar mean loss $C$. With cross-entropy the loss is computed from $z^L$
    and there is no ``a[L]``; with an identity output ``a[L]`` is ``z[L]``.
    """

    tape: Tape
    loss: Node
    W: dict = field(default_factory=dict)
    b: dict = field(default_factory=dict)
    u: dict = field(default_factory=dict)
    z: dict = field(default_factory=dict)
    a: dict = field(default_factory=dict)


def record_network(weights, biases, X, Y, hidden="sigmoid", output="sigmoid", loss="mse"):
    r"""Record a dense network's forward pass and mean loss on a new tape (Eq. :eq:`eq-ad-graph`).

    ``weights[l-1]`` is $W^l$ ``(n_l, n_{l-1})`` and ``biases[l-1]`` is $b^l$ ``(n_l,)``, as in
    :class:`backprop.Network`; ``X`` ``(M, n_0)`` and ``Y`` ``(M, n_L)`` hold the samples as
    rows (targets one-hot for a softmax). Loss ``"mse"``: $d = A^L - Y^\T$, $q = d \odot d$,
    $r = \sum q$, $C = r / (2M)$ (the primitives sub, mul, total, scale);
    ``"cross_entropy"``: the softmax or sigmoid cross-entropy of $Z^L$, divided by $M$.
    Returns a :class:`Graph`; call ``graph.tape.backward(graph.loss)`` for the adjoints.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    L = len(weights)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or Y.shape[1] != weights[-1].shape[0]:
        raise ValueError(f"X (M, n_0) and Y (M, n_L) expected, got {X.shape} and {Y.shape}")
    tape = Tape()
    g = Graph(tape, None)
    g.a[0] = tape.leaf(X.T, "a^0")
    for l in range(1, L + 1):
        g.W[l] = tape.leaf(weights[l - 1], f"W^{l}")
        g.b[l] = tape.leaf(biases[l - 1], f"b^{l}")
        g.u[l] = matmul(g.W[l], g.a[l - 1])  # eq-ad-graph
        g.z[l] = add_bias(g.u[l], g.b[l])
        g.u[l].name, g.z[l].name = f"u^{l}", f"z^{l}"
        name = hidden if l < L else output
        if l == L and loss == "cross_entropy":
            break
        if name == "identity":
            g.a[l] = g.z[l]
        else:
            g.a[l] = ACTIVATIONS[name](g.z[l])
            g.a[l].name = f"a^{l}"
    M = X.shape[0]
    if loss == "mse":
        d = g.a[L] - tape.leaf(Y.T, "y")
        q = d * d  # d is used twice: eq-ad-fanout
        r = total(q)
        g.loss = scale(r, 0.5 / M)
        d.name, q.name, r.name = "d", "q", "r"
    elif loss == "cross_entropy" and output in ("softmax", "sigmoid"):
        rule = softmax_cross_entropy if output == "softmax" else sigmoid_cross_entropy
        g.loss = scale(rule(g.z[L], Y.T), 1.0 / M)
    else:
        raise ValueError(f"unknown pair output={output!r}, loss={loss!r}")
    g.loss.name = "C"
    return g


def network_gradients(weights, biases, X, Y, hidden="sigmoid", output="sigmoid", loss="mse"):
    """``(dW, db)``: lists shaped like ``weights`` and ``biases``, by reverse mode on the tape."""
    g = record_network(weights, biases, X, Y, hidden, output, loss)
    g.tape.backward(g.loss)
    L = len(weights)
    return [g.W[l].grad for l in range(1, L + 1)], [g.b[l].grad for l in range(1, L + 1)]


def check_vjp(name: str, *inputs, seed: int = 0, h: float = 1e-6, **params) -> float:
    r"""Largest relative error between primitive ``name``'s VJP and central differences.

    For a random cotangent $\bar c$, the VJP must give the gradient of $\langle \bar c,
    f(x_1, \dots)\rangle$ with respect to every input $x_i$. Returns the worst
    :func:`backprop.gradcheck.relative_error` over the inputs.
    """
    rule = PRIMITIVES[name]
    xs = [np.array(x, dtype=np.float64) for x in inputs]
    out = np.asarray(rule.forward(*xs, **params))
    g = np.random.default_rng(seed).normal(size=out.shape)
    grads = rule.vjp(g, out, *xs, **params)
    worst = 0.0
    for i, x in enumerate(xs):

        def inner(v, i=i):
            args = xs[:i] + [v] + xs[i + 1 :]
            return float(np.sum(g * rule.forward(*args, **params)))

        worst = max(worst, relative_error(grads[i], numerical_derivative(inner, x, h=h)))
    return worst
