r"""The two local pieces every layer computes, as pure forward/backward pairs.

A layer $l$ maps $a^{l-1}$ to $a^l$ in two steps (chapter *Notation and the forward pass*):

$$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l).$$

With samples as rows, ``A_prev`` has shape ``(M, n_{l-1})``, ``W`` has the shape of $W^l$,
``(n_l, n_{l-1})``, and the batch form of the first step is ``Z = A_prev @ W.T + b``.

Backward, each step receives the per-sample derivative of the loss with respect to its output
and returns the one with respect to its input (chapter *Backpropagation*):

* ``activation_backward``: $\delta^l = \partial C/\partial a^l \odot \sigma'(z^l)$;
* ``dense_backward``: $\partial C/\partial a^{l-1} = (W^l)^{\mathsf T} \delta^l$, and the
  parameter gradients $\partial C/\partial W^l = \delta^l (a^{l-1})^{\mathsf T}$,
  $\partial C/\partial b^l = \delta^l$, averaged over the M rows.

Nothing here mutates its arguments or its cache.
"""

from __future__ import annotations

import numpy as np

from . import activations


def dense_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
    r"""$Z = A_{\text{prev}} W^{\mathsf T} + b$.

    ``A_prev``: ``(M, n_{l-1})``, ``W``: ``(n_l, n_{l-1})``, ``b``: ``(n_l,)``.
    Returns ``(Z, cache)`` with ``Z``: ``(M, n_l)`` and ``cache = (A_prev, W)``.

    In the book: Equation :eq:`eq-forward-batch`.
    """
    Z = A_prev @ W.T
    Z += b
    return Z, (A_prev, W)


def dense_backward(D: np.ndarray, cache):
    r"""Backward pass of :func:`dense_forward` given per-sample errors ``D`` = $\delta^l$.

    ``D``: ``(M, n_l)``, row m is $\partial C_m / \partial z^l_m$. Returns
    ``(dA_prev, dW, db)``: ``dA_prev`` ``(M, n_{l-1})`` per-sample
    $(W^l)^{\mathsf T}\delta^l_m$ as rows; ``dW`` ``(n_l, n_{l-1})``
    $= \frac1M\sum_m \delta^l_m (a^{l-1}_m)^{\mathsf T}$; ``db`` ``(n_l,)`` $= \frac1M\sum_m
    \delta^l_m$.

    In the book: Equations :eq:`eq-grad-W`, :eq:`eq-grad-b` and the product in
    :eq:`eq-delta-recursion`.
    """
    A_prev, W = cache
    M = D.shape[0]
    dW = D.T @ A_prev
    dW /= M
    db = D.mean(axis=0)
    dA_prev = D @ W
    return dA_prev, dW, db


def activation_forward(Z: np.ndarray, name: str):
    r"""$A = \sigma(Z)$ elementwise. Returns ``(A, cache)``, ``A`` with the shape of ``Z``."""
    act = activations.get(name)
    A = act.f(Z)
    return A, (Z, A, act)


def activation_backward(dA: np.ndarray, cache) -> np.ndarray:
    r"""$\delta = \partial C/\partial a \odot \sigma'(z)$, shape of ``dA``."""
    Z, A, act = cache
    return dA * act.derivative(Z, A)
