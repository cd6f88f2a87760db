r"""The two local pieces every layer computes, as forward/backward pairs (CS231n style).

A layer $l$ maps $a^{l-1}$ to $a^l$ in two steps (chapter *Notation and the forward pass*):

$$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l).$$

With samples as rows, ``A_prev`` has shape ``(M, n_{l-1})``, ``W`` has the shape of $W^l$,
``(n_l, n_{l-1})``, and the batch form of the first step is ``Z = A_prev @ W.T + b``.

Backward, each step receives the derivative of the loss with respect to its output, one row per
sample, and returns the one with respect to its input (chapter *Backpropagation*):

* :func:`activation_backward`: $\delta = \partial C/\partial a \odot \sigma'(z)$;
* :func:`dense_backward`: $\partial C/\partial a^{l-1} = (W^l)^{\mathsf T} \delta^l$ and the
  parameter gradients $\partial C/\partial W^l = \delta^l (a^{l-1})^{\mathsf T}$,
  $\partial C/\partial b^l = \delta^l$, summed over the rows and multiplied by ``scale``
  (``1/M``: the gradient of the mean loss).

:class:`backprop.Network` is these four functions in a loop, so these lines are the only place
the package writes the equations of backpropagation. Nothing here mutates its arguments.
The matrix products are ``np.dot``, for 2-D arrays the product ``@`` computes, through the same
BLAS routine. Its call costs about 0.3 µs less: 6 % of a training epoch of a 2-16-16-2
network. On large float32 products it measured up to 15 % slower than ``np.matmul``, which
makes a 784-256-128-10 epoch at batch 128 about 3 % slower. Choosing by size on every call
would cost two thirds of the saving on small networks (measured with NumPy 2.4 and its
OpenBLAS), so the small networks of the book, the playground's among them, get the saving.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import activations


def dense_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
    r"""$Z = A_{\text{prev}} W^{\mathsf T} + \mathbf 1 b^{\mathsf T}$.

    ``A_prev``: ``(M, n_{l-1})``, ``W``: ``(n_l, n_{l-1})``, ``b``: ``(n_l,)``.
    Returns ``(Z, cache)`` with ``Z``: ``(M, n_l)`` and ``cache = (A_prev, W)``.

    In the book: Equations :eq:`eq-forward-z` and :eq:`eq-forward-batch`.
    """
    Z = np.dot(A_prev, W.T)  # z^l = W^l a^{l-1} + b^l, rows  (eq-forward-batch)
    Z += b
    return Z, (A_prev, W)


def dense_backward(D: np.ndarray, cache, scale=None, input_grad: bool = True, out=None):
    r"""Backward pass of :func:`dense_forward` given the errors ``D`` $= \delta^l$ as rows.

    ``D``: ``(M, n_l)``, row m is $\partial C_m / \partial z^l_m$ (times any factor the caller
    applied). Returns ``(dA_prev, dW, db)``:

    * ``dW`` ``(n_l, n_{l-1})`` $= s \sum_m \delta^l_m (a^{l-1}_m)^{\mathsf T}
      = s\, (\Delta^l)^{\mathsf T} A^{l-1}$;
    * ``db`` ``(n_l,)`` $= s \sum_m \delta^l_m$;
    * ``dA_prev`` ``(M, n_{l-1})``: row m is $(W^l)^{\mathsf T}\delta^l_m$, the first factor of
      the recursion; ``None`` when ``input_grad`` is false (layer 1 needs none).

    ``scale`` $s$: ``None`` means $1/M$, the gradient of the mean loss (:eq:`eq-mb-dW`,
    :eq:`eq-mb-db`); ``1.0`` gives plain sums, for errors that already carry the $1/M$.
    ``out``: optional arrays ``(dW, db)`` to write the gradients into.

    In the book: Equations :eq:`eq-grad-W`, :eq:`eq-grad-b` and the product in
    :eq:`eq-delta-recursion`.
    """
    A_prev, W = cache
    dW, db = (None, None) if out is None else out
    s = 1.0 / D.shape[0] if scale is None else scale
    dW = np.dot(D.T, A_prev, out=dW)  # dC/dW^l = sum_m delta^l_m (a^{l-1}_m)^T  (eq-grad-W)
    db = np.add.reduce(D, axis=0, out=db)  # dC/db^l = sum_m delta^l_m  (eq-grad-b)
    if s != 1.0:
        dW *= s
        db *= s
    dA_prev = np.dot(D, W) if input_grad else None  # (W^l)^T delta^l, rows  (eq-delta-recursion)
    return dA_prev, dW, db


def activation_forward(Z: np.ndarray, act):
    r"""$A = \sigma(Z)$. ``act``: a name or an :class:`~backprop.activations.Activation`.

    Returns ``(A, cache)``, ``A`` with the shape of ``Z``, ``cache = (Z, A, act)``.

    In the book: Equation :eq:`eq-forward-a`.
    """
    if isinstance(act, str):
        act = activations.output(act)
    A = act.f(Z)  # a^l = sigma(z^l)  (eq-forward-a)
    return A, (Z, A, act)


def activation_backward(dA: np.ndarray, cache) -> np.ndarray:
    r"""$\delta = \partial C/\partial a \odot \sigma'(z)$, shape of ``dA`` (elementwise ``act``).

    In the book: the Hadamard product of :eq:`eq-delta-output` and :eq:`eq-delta-recursion`.
    """
    Z, A, act = cache
    return dA * act.derivative(Z, A)  # ... . sigma'(z^l)  (eq-delta-recursion)


def parameter_buffer(sizes, dtype) -> tuple:
    r"""``(buffer, Ws, bs)``: one zeroed 1-D array holding every weight, then every bias, and
    the lists of its views shaped like $W^l$, ``(n_l, n_{l-1})``, and $b^l$, ``(n_l,)``."""
    total, slots = _layout(tuple(sizes))
    buffer = np.zeros(total, dtype=dtype)
    views = [buffer[start:stop].reshape(shape) for start, stop, shape in slots]
    L = len(sizes) - 1
    return buffer, views[:L], views[L:]


@functools.lru_cache(maxsize=64)
def _layout(sizes: tuple) -> tuple:
    shapes = [(n, m) for m, n in zip(sizes[:-1], sizes[1:])] + [(n,) for n in sizes[1:]]
    slots, start = [], 0
    for shape in shapes:
        slots.append((start, start + math.prod(shape), shape))
        start += math.prod(shape)
    return start, tuple(slots)
