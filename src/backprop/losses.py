r"""Loss functions $C$ with the output error $\delta^L = \partial C_m / \partial z^L$ beside each.

Shapes: rows are samples. ``Z`` and ``A`` are the output layer's $z^L$ and $a^L$, shape
``(M, n_L)``; ``Y`` is the target, shape ``(M, n_L)``. Each loss is the **mean over the M
samples** of a per-sample loss $C_m$; each ``*_delta`` returns the per-sample errors
$\delta^L_m = \partial C_m / \partial z^L_m$ stacked as rows, shape ``(M, n_L)`` (the gradient
of the mean is the mean of these, see chapter *From one example to a minibatch*).

* ``mse``: $C_m = \tfrac12 \lVert a_m - y_m \rVert^2$, so $\nabla_a C_m = a_m - y_m$ and for an
  elementwise output $\delta^L = (a - y) \odot \sigma'(z^L)$.
* softmax ``cross_entropy``: $C_m = -\sum_j y_{mj} \log a_{mj}$. With the target's sum
  $s_m = \sum_j y_{mj}$ and the log-sum-exp $\operatorname{lse}(z) = \log \sum_j e^{z_j}$
  this is $C_m = s_m \operatorname{lse}(z_m) - y_m \cdot z_m$, so $\delta^L_m = s_m a_m - y_m$,
  which is $a - y$ for one-hot (or any probability) targets.
* sigmoid ``cross_entropy`` (binary, elementwise): $C_m = -\sum_j c_{mj}$, where each entry
  has its own binary cross-entropy $c = y \log a + (1-y) \log(1-a)$, that is
  $C_m = \sum_j [\operatorname{softplus}(z_{mj}) - y_{mj} z_{mj}]$, so $\delta^L = a - y$.

Both cross-entropies are computed from the logits $z^L$, never from $\log a$, so they stay finite
for logits of $\pm 10^4$.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _validate, activations

LOSSES = ("mse", "cross_entropy")


@dataclass(frozen=True)
class Loss:
    r"""A loss after a given output activation: per-sample value and output error side by side.

    ``per_sample(Z, A, Y)``: $C_m$ for every row, shape ``(M,)``. ``delta(Z, A, Y)``: the rows
    $\delta^L_m = \partial C_m/\partial z^L_m$, shape ``(M, n_L)``. ``Z``, ``A``: the output
    layer's $z^L$ and $a^L$; ``Y``: the targets; all ``(M, n_L)``.
    """

    name: str
    output: str
    per_sample: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    delta: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

    def value(self, Z, A, Y) -> float:
        r"""$C = \frac1M \sum_m C_m$ as a Python float (:eq:`eq-loss-mean`)."""
        return float(np.mean(self.per_sample(Z, A, Y)))


def mse_per_sample(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = \tfrac12 \lVert a_m - y_m \rVert^2$ for each row; returns ``(M,)``.

    In the book: Equation :eq:`eq-loss-mean` (its $C_m$).
    """
    D = A - Y
    return 0.5 * np.einsum("mj,mj->m", D, D)


def softmax_cross_entropy_per_sample(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = -\sum_j y_{mj}\log\operatorname{softmax}(z_m)_j$ from the logits; ``(M,)``.

    In the book: Equations :eq:`eq-ce-cost` and :eq:`eq-ce-lse`.
    """
    return -np.einsum("mj,mj->m", Y, activations.log_softmax(Z))


def sigmoid_cross_entropy_per_sample(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = \sum_j [\log(1+e^{z_{mj}}) - y_{mj} z_{mj}]$ from the logits; ``(M,)``.

    In the book: Equation :eq:`eq-ce-binary`, summed over the outputs.
    """
    return np.sum(np.logaddexp(0.0, Z) - Y * Z, axis=1)


def mse_delta(derivative):
    r"""The output error of the quadratic cost after an elementwise output with ``derivative``.

    Returns ``delta(Z, A, Y)`` $= \nabla_a C \odot \sigma'(z^L)$ with $\nabla_a C = a - y$
    (Equations :eq:`eq-delta-output`, :eq:`eq-sq-delta-half`; rows: :eq:`eq-mb-delta-L`).
    """

    def delta(Z, A, Y):
        return (A - Y) * derivative(Z, A)  # delta^L = (a^L - y) . sigma'(z^L)  (eq-delta-output)

    return delta


def mse_softmax_delta(Z, A, Y):
    r"""$\delta^L = J^{\mathsf T}(a - y)$ with the softmax Jacobian $J$, row by row."""
    return activations.softmax_vjp(A, A - Y)  # J^T grad_a C  (eq-delta-output, full Jacobian)


def softmax_cross_entropy_delta(Z, A, Y):
    r"""$\delta^L = a \sum_j y_j - y$, which is $a - y$ for one-hot targets (:eq:`eq-ce-delta`)."""
    return A * activations.row_reduce(np.add, Y) - Y  # s a - y  (eq-ce-delta)


def sigmoid_cross_entropy_delta(Z, A, Y):
    r"""$\delta^L = a - y$ for the binary cross-entropy after a sigmoid (:eq:`eq-ce-binary`)."""
    return A - Y  # (eq-ce-binary)


def _mse(Z, A, Y):
    return mse_per_sample(A, Y)


def _softmax_ce(Z, A, Y):
    return softmax_cross_entropy_per_sample(Z, Y)


def _sigmoid_ce(Z, A, Y):
    return sigmoid_cross_entropy_per_sample(Z, Y)


#: Every valid (output activation, loss) pair and its :class:`Loss` record.
TABLE: dict[tuple[str, str], Loss] = {
    ("identity", "mse"): Loss("mse", "identity", _mse, mse_delta(activations.identity_derivative)),
    ("sigmoid", "mse"): Loss("mse", "sigmoid", _mse, mse_delta(activations.sigmoid_derivative)),
    ("softmax", "mse"): Loss("mse", "softmax", _mse, mse_softmax_delta),
    ("sigmoid", "cross_entropy"): Loss(
        "cross_entropy", "sigmoid", _sigmoid_ce, sigmoid_cross_entropy_delta
    ),
    ("softmax", "cross_entropy"): Loss(
        "cross_entropy", "softmax", _softmax_ce, softmax_cross_entropy_delta
    ),
}
VALID_PAIRS = frozenset(TABLE)


def check_pair(output: str, loss: str) -> None:
    """Raise unless ``loss`` can be used after an ``output`` activation."""
    _validate.choice("loss", loss, LOSSES)
    _validate.choice("output activation", output, activations.OUTPUT)
    if (output, loss) not in TABLE:
        raise ValueError(
            f"loss {loss!r} does not fit output {output!r}: cross_entropy needs outputs that "
            "are probabilities, so use output='softmax' (classes) or output='sigmoid' "
            "(independent yes/no targets), or use loss='mse'"
        )


def get(loss: str, output: str) -> Loss:
    """The :class:`Loss` record of ``loss`` after ``output`` (validated)."""
    check_pair(output, loss)
    return TABLE[(output, loss)]


def per_sample(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The per-sample losses $C_m$, shape ``(M,)``."""
    return get(loss, output).per_sample(Z, A, Y)


def value(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    r"""$C = \frac1M \sum_m C_m$ as a Python float."""
    return get(loss, output).value(Z, A, Y)


def output_delta(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Per-sample output errors $\delta^L_m = \partial C_m / \partial z^L_m$, shape ``(M, n_L)``.

    Looks up the :class:`Loss` record of the pair: for the matched pairs (softmax or sigmoid
    with cross-entropy) this is $a - y$, the derivatives of the loss and of the output
    activation cancel (:func:`softmax_cross_entropy_delta`, :func:`sigmoid_cross_entropy_delta`);
    for ``mse`` it is $\nabla_a C \odot \sigma'(z^L)$ (:func:`mse_delta`), or
    $J_{\text{softmax}}^{\mathsf T} (a - y)$ for a softmax output (:func:`mse_softmax_delta`).

    In the book: Equations :eq:`eq-delta-output`, :eq:`eq-sq-delta-half`, :eq:`eq-ce-delta` and
    :eq:`eq-ce-binary`.
    """
    return get(loss, output).delta(Z, A, Y)
