r"""Loss functions $C$ with the output error $\delta^L = \partial C_m / \partial z^L$ beside each.

Shapes: rows are samples. ``Z`` and ``A`` are the output layer's $z^L$ and $a^L$, shape
``(M, n_L)``; ``Y`` is the target, shape ``(M, n_L)``. Each loss is the **mean over the M
samples** of a per-sample loss $C_m$; each ``*_delta`` returns the per-sample errors
$\delta^L_m = \partial C_m / \partial z^L_m$ stacked as rows, shape ``(M, n_L)`` (the gradient
of the mean is the mean of these, see chapter *From one example to a minibatch*).

* ``mse``: $C_m = \tfrac12 \lVert a_m - y_m \rVert^2$, so $\nabla_a C_m = a_m - y_m$ and for an
  elementwise output $\delta^L = (a - y) \odot \sigma'(z^L)$.
* softmax ``cross_entropy``: $C_m = -\sum_j y_{mj} \log a_{mj}
  = (\textstyle\sum_j y_{mj}) \operatorname{logsumexp}(z_m) - y_m \cdot z_m$, so
  $\delta^L = a \sum_j y_j - y$, which is $a - y$ for one-hot (or any probability) targets.
* sigmoid ``cross_entropy`` (binary, elementwise): $C_m = -\sum_j [y_j \log a_j + (1-y_j)
  \log(1-a_j)] = \sum_j [\operatorname{softplus}(z_j) - y_j z_j]$, so $\delta^L = a - y$.

Both cross-entropies are computed from the logits $z^L$, never from $\log a$, so they stay finite
for logits of $\pm 10^4$.
"""

from __future__ import annotations

import numpy as np

from . import activations

LOSSES = ("mse", "cross_entropy")

# Which (output activation, loss) pairs make sense. Cross-entropy needs probabilities.
VALID_PAIRS = {
    ("identity", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
}


def check_pair(output: str, loss: str) -> None:
    """Raise ``ValueError`` unless ``loss`` can be used after an ``output`` activation."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}: expected one of {sorted(LOSSES)}")
    if output not in activations.OUTPUT:
        raise ValueError(
            f"unknown output activation {output!r}: expected one of {sorted(activations.OUTPUT)}"
        )
    if (output, loss) not in VALID_PAIRS:
        raise ValueError(
            f"loss {loss!r} does not fit output {output!r}: cross_entropy needs outputs that "
            "are probabilities, so use output='softmax' (classes) or output='sigmoid' "
            "(independent yes/no targets), or use loss='mse'"
        )


def mse_per_sample(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = \tfrac12 \lVert a_m - y_m \rVert^2$ for each row; returns ``(M,)``."""
    D = A - Y
    return 0.5 * np.einsum("mj,mj->m", D, D)


def softmax_cross_entropy_per_sample(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = -\sum_j y_{mj}\log\operatorname{softmax}(z_m)_j$ from the logits; ``(M,)``.

    In the book: Equations :eq:`eq-ce-cost` and :eq:`eq-ce-lse`.
    """
    return -np.einsum("mj,mj->m", Y, activations.log_softmax(Z))


def sigmoid_cross_entropy_per_sample(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""$C_m = \sum_j [\log(1+e^{z_{mj}}) - y_{mj} z_{mj}]$ from the logits; ``(M,)``."""
    return np.sum(np.logaddexp(0.0, Z) - Y * Z, axis=1)


def per_sample(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The per-sample losses $C_m$, shape ``(M,)``."""
    if loss == "mse":
        return mse_per_sample(A, Y)
    if output == "softmax":
        return softmax_cross_entropy_per_sample(Z, Y)
    return sigmoid_cross_entropy_per_sample(Z, Y)


def value(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    r"""$C = \frac1M \sum_m C_m$ as a Python float."""
    return float(np.mean(per_sample(loss, output, Z, A, Y)))


def output_delta(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Per-sample output errors $\delta^L_m = \partial C_m / \partial z^L_m$, shape ``(M, n_L)``.

    For the matched pairs (softmax or sigmoid with cross-entropy) this is $a - y$: the
    derivative of the loss and of the output activation cancel (chapter *Softmax outputs
    with cross-entropy*). For ``mse`` it is $\nabla_a C \odot \sigma'(z^L)$, or
    $J_{\text{softmax}}^{\mathsf T} (a - y)$ for a softmax output.

    In the book: Equations :eq:`eq-delta-output`, :eq:`eq-sq-delta-half`, :eq:`eq-ce-delta` and
    :eq:`eq-ce-binary`.
    """
    if loss == "cross_entropy":
        if output == "softmax":
            return A * Y.sum(axis=1, keepdims=True) - Y
        return A - Y
    grad_a = A - Y
    if output == "softmax":
        return activations.softmax_vjp(A, grad_a)
    return grad_a * activations.get(output).derivative(Z, A)
