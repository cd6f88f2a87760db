r"""Gradient checking by finite differences, the independent reference for backpropagation.

Central differences (chapter *Gradient checking*):

$$\frac{\partial C}{\partial \theta_i} \approx \frac{C(\theta + h e_i) - C(\theta - h e_i)}{2h},$$

with an error $O(h^2)$ from truncation plus $O(\varepsilon/h)$ from rounding. Relative errors are
$\lVert g - \tilde g\rVert / (\lVert g\rVert + \lVert\tilde g\rVert)$, and 0 when both are zero.
Nothing here mutates the caller's network or arrays: the perturbations are made on copies.

A checker must never pass a broken gradient: a NaN or an infinity in either gradient makes the
relative error ``inf`` (a failure, never dropped by ``max``); gradient lists of the wrong length
or shape, a step ``h`` that is not a finite number > 0, and zero directions are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate


def relative_error(a, b) -> float:
    r"""$\lVert a-b\rVert / (\lVert a\rVert + \lVert b\rVert)$; 0.0 when both are zero.

    ``inf`` when either holds a NaN or an infinity.

    In the book: Equation :eq:`eq-gc-relative`.
    """
    a = _validate.real_array("a", a).astype(np.float64)
    b = _validate.real_array("b", b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a, {a.shape}, got {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")  # a NaN or an infinity is a failure, never a pass
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_derivative(f, x, h: float = 1e-6, method: str = "central") -> np.ndarray:
    r"""Finite-difference gradient of a scalar function ``f`` at ``x`` (any shape).

    ``method="central"``: $(f(x+he_i) - f(x-he_i))/2h$; ``"forward"``: $(f(x+he_i) -
    f(x))/h$. Returns an array of the shape of ``x``. ``x`` is not modified.

    In the book: Equations :eq:`eq-gc-forward` and :eq:`eq-gc-central`.
    """
    _validate.choice("method", method, ("central", "forward"))
    h = _validate.positive_float("h", h)
    x = _validate.real_array("x", x).astype(np.float64)
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    f0 = None if method == "central" else float(f(x.copy()))
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(x.copy()))
        if method == "central":
            flat[i] = old - h
            fm = float(f(x.copy()))
            g[i] = (fp - fm) / (2 * h)
        else:
            g[i] = (fp - f0) / h
        flat[i] = old
    return grad


def numerical_jacobian(f, x, h: float = 1e-6) -> np.ndarray:
    r"""Central-difference Jacobian of a vector function: ``J[i, j]`` $=\partial f_i/\partial x_j$.

    ``x``: ``(n,)``; ``f(x)``: ``(m,)``; returns ``(m, n)``.
    """
    h = _validate.positive_float("h", h)
    x = _validate.real_array("x", x).astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"numerical_jacobian takes x of shape (n,), got {x.shape}")
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=1)


def numerical_gradients(net, X, Y, h: float = 1e-6):
    """Central differences of ``net.loss(X, Y)`` for every weight and bias.

    Returns ``(dWs, dbs)`` shaped like ``net.weights``/``net.biases`` (0-based lists), in
    float64. Costs two loss evaluations per parameter; ``net`` is not changed.

    In the book: Equation :eq:`eq-gc-central`, one parameter at a time.
    """
    h = _validate.positive_float("h", h)
    X, Y = net._data(X, Y)
    probe = net.copy()
    dWs, dbs = [], []
    for params, out in ((probe.weights, dWs), (probe.biases, dbs)):
        for P in params:
            G = np.zeros(P.shape, dtype=np.float64)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + h
                fp = probe.loss(X, Y)
                P[idx] = old - h
                fm = probe.loss(X, Y)
                P[idx] = old
                G[idx] = (fp - fm) / (2 * h)
            out.append(G)
    return dWs, dbs


@dataclass(frozen=True)
class GradCheck:
    """Result of :func:`check_gradients`: relative error per layer and overall."""

    max_relative_error: float
    weights: tuple  # relative error of dW^l, l = 1..L (0-based tuple)
    biases: tuple

    def passed(self, tol: float = 1e-6) -> bool:
        """``True`` if every relative error is below ``tol`` (a NaN never passes)."""
        tol = _validate.positive_float("tol", tol)
        return all(e < tol for e in self.weights + self.biases)


def checked_gradients(net, gradients) -> tuple:
    """``gradients`` as ``(dWs, dbs)``: two lists of real arrays shaped like ``net.weights`` and
    ``net.biases``, or a clear error (a missing or misshapen layer is never skipped)."""
    if not isinstance(gradients, (tuple, list)) or len(gradients) != 2:
        raise TypeError(f"gradients must be a pair (dWs, dbs), got {_validate.got(gradients)}")
    out = []
    for name, grads, params in zip(("dWs", "dbs"), gradients, (net.weights, net.biases)):
        if not isinstance(grads, (tuple, list)) or len(grads) != len(params):
            raise ValueError(
                f"gradients {name} must be a list of {len(params)} arrays (one per layer), "
                f"got {_validate.got(grads)}"
            )
        arrays = [_validate.real_array(f"gradients {name}[{i}]", g) for i, g in enumerate(grads)]
        for i, (g, p) in enumerate(zip(arrays, params)):
            if g.shape != p.shape:
                raise ValueError(
                    f"gradients {name}[{i}] must have the shape {p.shape} of its parameter, "
                    f"got {g.shape}"
                )
        out.append(arrays)
    return out[0], out[1]


def check_gradients(net, X, Y, h: float = 1e-6, gradients=None) -> GradCheck:
    """Compare ``net.gradients`` (or the given ``(dWs, dbs)``) with central differences.

    Every layer's weights and biases are compared (the lists must have one array per layer,
    each of the parameter's shape); a NaN or infinity anywhere gives an ``inf`` error.

    In the book: Equations :eq:`eq-gc-central` and :eq:`eq-gc-relative`.
    """
    h = _validate.positive_float("h", h)
    grads = net.gradients(X, Y) if gradients is None else gradients
    dWs, dbs = checked_gradients(net, grads)
    nWs, nbs = numerical_gradients(net, X, Y, h=h)
    ew = tuple(relative_error(a, b) for a, b in zip(dWs, nWs, strict=True))
    eb = tuple(relative_error(a, b) for a, b in zip(dbs, nbs, strict=True))
    worst = float("inf") if any(np.isnan(ew + eb)) else max(ew + eb)
    return GradCheck(worst, ew, eb)


def directional_check(
    net, X, Y, n_directions: int = 3, h: float = 1e-6, seed: int = 0, gradients=None
) -> float:
    r"""Cheap check along random directions $v$: compare $\nabla C\cdot v$ with
    $(C(\theta + hv) - C(\theta - hv))/2h$.

    Costs 2 loss evaluations per direction whatever the number of parameters. Returns the
    largest relative error $|g\cdot v - \tilde d| / (|g\cdot v| + |\tilde d|)$ (``inf`` if
    anything is NaN or infinite); ``n_directions`` must be at least 1.

    In the book: Equation :eq:`eq-gc-directional`.
    """
    n_directions = _validate.positive_int("n_directions", n_directions)
    h = _validate.positive_float("h", h)
    rng = np.random.default_rng(_validate.seed("seed", seed))
    dWs, dbs = checked_gradients(net, net.gradients(X, Y) if gradients is None else gradients)
    if not all(np.all(np.isfinite(g)) for g in dWs + dbs):
        return float("inf")
    X, Y = net._data(X, Y)
    worst = 0.0
    for _ in range(n_directions):
        vW = [rng.standard_normal(W.shape) for W in net.weights]
        vb = [rng.standard_normal(b.shape) for b in net.biases]
        analytic = sum(np.sum(g * v) for g, v in zip(dWs + dbs, vW + vb))
        plus, minus = net.copy(), net.copy()
        for P, Q, v in zip(plus.weights + plus.biases, minus.weights + minus.biases, vW + vb):
            P += h * v
            Q -= h * v
        numeric = (plus.loss(X, Y) - minus.loss(X, Y)) / (2 * h)
        denom = abs(analytic) + abs(numeric)
        error = 0.0 if denom == 0 else abs(analytic - numeric) / denom
        worst = float("inf") if not np.isfinite(error) else max(worst, error)
    return float(worst)
