r"""Activation functions, each with its derivative beside it.

An elementwise activation $\sigma$ acts on every entry of $z^l$, so its Jacobian
$\partial a^l / \partial z^l$ is the diagonal matrix $\operatorname{diag}(\sigma'(z^l))$ and the
chain rule turns into a Hadamard product (chapter *Derivatives, Jacobians and the chain rule*).
Every ``derivative`` takes both $z$ and $a = \sigma(z)$, because for the sigmoid and tanh the
cheapest form of $\sigma'$ is written in terms of $a$:

* sigmoid: $\sigma(z) = 1 / (1 + e^{-z})$, $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$
* tanh: $\sigma'(z) = 1 - \tanh^2 z$
* relu: $\sigma(z) = \max(0, z)$, $\sigma'(z) = [z > 0]$ (we take $\sigma'(0) = 0$)
* identity: $\sigma'(z) = 1$

The softmax is not elementwise: $a_i = e^{z_i} / \sum_k e^{z_k}$ has the full Jacobian
$\operatorname{diag}(a) - a a^{\mathsf T}$ (chapter *Softmax outputs with cross-entropy*).
All functions take arrays of any shape; rows are samples where it matters (softmax).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""$\sigma(z) = 1/(1+e^{-z})$, evaluated without overflow and to full relative precision.

    With $e = e^{-|z|} \le 1$: $\sigma(z) = 1/(1+e)$ for $z \ge 0$ and $\sigma(z) = e/(1+e)$ for
    $z < 0$ (multiply numerator and denominator by $e^{z}$). No exponent is ever positive, so
    ``sigmoid(-1000.0)`` is ``0.0`` without a warning, and tiny values such as
    $\sigma(-30) \approx 9.4 \times 10^{-14}$ keep all their digits (the tempting
    $\tfrac12(1+\tanh(z/2))$ loses them to cancellation). Shape in = shape out.

    In the book: Equation :eq:`eq-sq-sigmoid`.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    out = 1.0 / (1.0 + e)
    return np.where(z >= 0, out, e * out)


def sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    r"""$\sigma'(z) = \sigma(z)(1-\sigma(z)) = a(1-a)$. Shape of ``a``.

    In the book: Equation :eq:`eq-sq-dsigmoid`.
    """
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    r"""$\tanh z$. Shape in = shape out."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    r"""$\tanh'(z) = 1 - \tanh^2 z = 1 - a^2$. Shape of ``a``."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    r"""$\max(0, z)$. Shape in = shape out."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    r"""$[z > 0]$ as 0.0/1.0 in the dtype of ``z``; at the kink $z=0$ we use 0."""
    return (z > 0).astype(z.dtype)


def identity(z: np.ndarray) -> np.ndarray:
    r"""$z$ itself (a linear output layer)."""
    return z


def identity_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    r"""$1$ everywhere, shape of ``z``."""
    return np.ones_like(z)


#: Rows at most this long are reduced column by column (:func:`row_reduce`).
SHORT_ROW = 32


def row_reduce(ufunc, Z: np.ndarray) -> np.ndarray:
    r"""``ufunc.reduce`` over the last axis of ``Z``, keeping it: shape ``(..., 1)``.

    The same numbers as ``ufunc.reduce(Z, axis=-1, keepdims=True)``, computed faster for short
    rows. NumPy reduces the short last axis of a row-major array one row at a time: for two
    classes, about 28 ns a row, thirty times the arithmetic (``(32000, 2)``: 0.9 ms for the
    row maxima). On a column-major copy the same reduction is one vectorised pass per column
    (0.03 ms). Rows longer than :data:`SHORT_ROW` are reduced in place as usual.
    """
    if Z.ndim > 1 and Z.shape[-1] <= SHORT_ROW:
        Z = np.asfortranarray(Z)
    return ufunc.reduce(Z, axis=-1, keepdims=True)


def softmax(Z: np.ndarray) -> np.ndarray:
    r"""Row-wise softmax $a_i = e^{z_i - m} / \sum_k e^{z_k - m}$ with $m = \max_k z_k$.

    Subtracting the row maximum changes nothing mathematically (numerator and denominator
    both gain the factor $e^{-m}$) but keeps every exponent $\le 0$, so logits of $\pm 10^4$
    give finite probabilities. ``Z``: ``(M, n)`` or ``(n,)``; returns the same shape.

    In the book: Equations :eq:`eq-ce-softmax` and :eq:`eq-ce-shift`.
    """
    Z = np.asarray(Z)
    e = np.exp(Z - row_reduce(np.maximum, Z))  # every exponent <= 0
    e /= row_reduce(np.add, e)
    return e


def log_softmax(Z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\log a_i = z_i - \operatorname{logsumexp}(z)$, finite for any finite logits.

    In the book: the log-sum-exp form :eq:`eq-ce-lse`.
    """
    Z = np.asarray(Z)
    shifted = Z - row_reduce(np.maximum, Z)
    return shifted - np.log(row_reduce(np.add, np.exp(shifted)))


def softmax_jacobian(a: np.ndarray) -> np.ndarray:
    r"""$\partial a / \partial z = \operatorname{diag}(a) - a a^{\mathsf T}$ for one sample.

    ``a``: ``(n,)`` softmax output; returns ``(n, n)`` with entry ``[i, j]`` $= \partial a_i /
    \partial z_j = a_i([i=j] - a_j)$. The off-diagonal entries are not zero.

    In the book: Equation :eq:`eq-ce-jacobian`.
    """
    a = np.asarray(a)
    if a.ndim != 1:
        raise ValueError(f"softmax_jacobian takes one sample a of shape (n,), got {a.shape}")
    return np.diag(a) - np.outer(a, a)


def softmax_vjp(A: np.ndarray, G: np.ndarray) -> np.ndarray:
    r"""Row-wise $J^{\mathsf T} g = a \odot (g - (a \cdot g))$ without forming $J$.

    ``A``: ``(M, n)`` softmax outputs, ``G``: ``(M, n)`` upstream gradients
    $\partial C/\partial a$; returns ``(M, n)`` $= \partial C/\partial z$. Uses that $J$ is
    symmetric.
    """
    return A * (G - np.sum(A * G, axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    r"""An activation: its value and its derivative, side by side.

    ``f(Z)`` has the shape of ``Z``; ``derivative(Z, A)`` is $\sigma'(z)$ entry by entry, given
    ``Z`` and ``A = f(Z)``. The softmax is not elementwise and has ``derivative=None``: its
    Jacobian enters only through the loss's output error (:mod:`backprop.losses`).
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None


ELEMENTWISE: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "identity": Activation("identity", identity, identity_derivative),
}
#: The softmax output activation (not elementwise, so without ``derivative``).
SOFTMAX = Activation("softmax", softmax, None)

HIDDEN = ("sigmoid", "tanh", "relu", "identity")
OUTPUT = ("identity", "sigmoid", "softmax")


def get(name: str) -> Activation:
    """The elementwise activation called ``name``; ``ValueError`` listing the choices."""
    if not isinstance(name, str) or name not in ELEMENTWISE:
        kind = ValueError if isinstance(name, str) else TypeError
        raise kind(f"activation must be one of {sorted(ELEMENTWISE)}, got {name!r}")
    return ELEMENTWISE[name]


def output(name: str) -> Activation:
    """The output activation called ``name``: an elementwise one or :data:`SOFTMAX`."""
    return SOFTMAX if name == "softmax" else get(name)
