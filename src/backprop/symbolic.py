r"""SymPy counterparts of the network, so that a derived formula can be checked exactly.

:class:`SymbolicNetwork` builds a small network in which every weight, bias, input and target
is a symbol: ``W[l]`` is the matrix of symbols $w^l_{i,j}$ (shape $n_l \times n_{l-1}$),
``b[l]`` the column of $b^l_i$, and ``z[l]``, ``a[l]`` and ``loss`` are SymPy expressions of
them, built exactly as in the text ($z^l = W^l a^{l-1} + b^l$, $a^l = \sigma(z^l)$).
SymPy's own ``diff`` of ``loss`` is the reference a hand-derived formula is held against.

The sigmoid is the SymPy function :class:`sigmoid` whose derivative is defined as
$\sigma(1-\sigma)$ and which stays unevaluated at numbers. Substituting random rationals for
all symbols then leaves polynomials (or rational functions) in a few opaque atoms
$\sigma(q)$, $\tanh(q)$ or $e^{q}$, and two expressions are equal exactly when their difference
expands to 0: :func:`assert_exact` does that, with no floating point involved.

Needs SymPy, the ``symbolic`` extra: ``pip install "backprop-book[symbolic]"``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from . import _validate, activations, losses
from ._indexed import Indexed
from .network import Network

#: Most parameters of a symbolic network (SymPy expressions grow fast with their number).
MAX_SYMBOLIC_PARAMETERS = 500


class sigmoid(sp.Function):  # noqa: N801 - a SymPy function is named like one
    r"""The logistic function $\sigma(z) = 1/(1+e^{-z})$ with $\sigma' = \sigma(1-\sigma)$."""

    def fdiff(self, argindex=1):
        r"""The derivative $\sigma(z)\,(1 - \sigma(z))$, in terms of :class:`sigmoid` itself."""
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\sigma{power}\left({arg}\right)"


class relu(sp.Function):  # noqa: N801
    r"""$\max(0, z)$ with derivative $[z > 0]$ (0 at the kink, like the NumPy code)."""

    @classmethod
    def eval(cls, arg):
        r"""$\max(0, z)$ at a number; ``None`` (stays unevaluated) at a symbolic argument."""
        if arg.is_number:
            return sp.Max(0, arg)
        return None

    def fdiff(self, argindex=1):
        """The derivative $[z > 0]$, as ``Heaviside(z, 0)`` (0 at the kink)."""
        return sp.Heaviside(self.args[0], 0)


ELEMENTWISE = {
    "sigmoid": sigmoid,
    "tanh": sp.tanh,
    "relu": relu,
    "identity": lambda z: z,
}


def apply(name: str, z: sp.Matrix) -> sp.Matrix:
    """Apply the activation ``name`` to a column vector ``z`` (softmax over its entries)."""
    if name == "softmax":
        e = z.applyfunc(sp.exp)
        return e / sum(e)
    return z.applyfunc(ELEMENTWISE[name])


class SymbolicNetwork:
    r"""A network of the given ``sizes`` with a symbol for every quantity.

    Attributes: ``x`` ($n_0\times1$), ``y`` ($n_L\times1$), ``W[l]``, ``b[l]`` for
    l = 1..L, ``z[l]`` (l = 1..L), ``a[l]`` (l = 0..L), ``loss`` (the per-sample loss $C$),
    ``params`` (every weight and bias symbol). Settings as in :class:`backprop.Network`;
    ``sizes`` are integers >= 1 with at most :data:`MAX_SYMBOLIC_PARAMETERS` parameters.
    """

    def __init__(self, sizes, hidden="sigmoid", output="sigmoid", loss="mse"):
        self.sizes = _validate.layer_sizes("sizes", sizes, MAX_SYMBOLIC_PARAMETERS)
        _validate.choice("hidden", hidden, activations.HIDDEN)
        losses.check_pair(output, loss)
        self.hidden, self.output, self.loss_name = hidden, output, loss
        L = len(self.sizes) - 1
        self.L = L
        self.x = sp.Matrix(
            [sp.Symbol(f"x_{{{i}}}", real=True) for i in range(1, self.sizes[0] + 1)]
        )
        self.y = sp.Matrix(
            [sp.Symbol(f"y_{{{j}}}", real=True) for j in range(1, self.sizes[-1] + 1)]
        )
        Ws, bs = [], []
        for l in range(1, L + 1):
            n, m = self.sizes[l], self.sizes[l - 1]
            Ws.append(
                sp.Matrix(
                    n, m, lambda i, j, l=l: sp.Symbol(f"w^{{{l}}}_{{{i + 1},{j + 1}}}", real=True)
                )
            )
            bs.append(
                sp.Matrix([sp.Symbol(f"b^{{{l}}}_{{{i}}}", real=True) for i in range(1, n + 1)])
            )
        self.W, self.b = Indexed(Ws, 1), Indexed(bs, 1)
        zs, As = self.forward_at(self.x)
        self.z, self.a = zs, As
        self.loss = self.loss_at(self.x, self.y)
        self.params = [s for M in Ws + bs for s in M]

    def activation(self, l: int) -> str:
        """Name of the activation of layer ``l``."""
        return self.output if l == self.L else self.hidden

    def forward_at(self, x: sp.Matrix):
        """``(z, a)`` as :class:`Indexed` lists for the input column ``x``."""
        zs, As = [], [x]
        for l in range(1, self.L + 1):
            z = self.W[l] * As[-1] + self.b[l]
            zs.append(z)
            As.append(apply(self.activation(l), z))
        return Indexed(zs, 1), Indexed(As, 0)

    def loss_at(self, x: sp.Matrix, y: sp.Matrix):
        """The per-sample loss $C$ for input column ``x`` and target column ``y``."""
        a = self.forward_at(x)[1][self.L]
        if self.loss_name == "mse":
            return sp.Rational(1, 2) * sum((a[j] - y[j]) ** 2 for j in range(len(y)))
        if self.output == "softmax":
            return -sum(y[j] * sp.log(a[j]) for j in range(len(y)))
        return -sum(y[j] * sp.log(a[j]) + (1 - y[j]) * sp.log(1 - a[j]) for j in range(len(y)))

    def gradient(self, l: int):
        r"""SymPy's own $\partial C/\partial W^l$ (a matrix) and $\partial C/\partial b^l$."""
        dW = self.W[l].applyfunc(lambda w: sp.diff(self.loss, w))
        db = self.b[l].applyfunc(lambda b: sp.diff(self.loss, b))
        return dW, db

    def random_point(
        self, seed: int = 0, denominator: int = 8, span: int = 2, one_hot_target: bool | None = None
    ) -> dict:
        """Random rationals ``k/denominator`` in ``[-span, span]`` for every symbol.

        Targets are one-hot for a softmax with cross-entropy and lie in [0, 1] for a
        sigmoid output (``one_hot_target`` overrides). ``seed`` >= 0, ``denominator`` >= 1 and
        ``span`` >= 1 are integers (at most 10**6 each).
        """
        rng = np.random.default_rng(_validate.seed("seed", seed))
        denominator = _validate.positive_int("denominator", denominator, 10**6)
        span = _validate.positive_int("span", span, 10**6)
        if one_hot_target is not None and not isinstance(one_hot_target, bool):
            raise TypeError(f"one_hot_target must be True, False or None, got {one_hot_target!r}")

        def q():
            return sp.Rational(
                int(rng.integers(-span * denominator, span * denominator + 1)), denominator
            )

        point = {s: q() for s in list(self.x) + self.params}
        if one_hot_target is None:
            one_hot_target = self.output == "softmax" and self.loss_name == "cross_entropy"
        if one_hot_target:
            k = int(rng.integers(len(self.y)))
            point.update({s: sp.Integer(int(j == k)) for j, s in enumerate(self.y)})
        elif self.output in ("sigmoid", "softmax"):
            point.update(
                {s: sp.Rational(int(rng.integers(0, denominator + 1)), denominator) for s in self.y}
            )
        else:
            point.update({s: q() for s in self.y})
        return point

    def network_at(self, point: dict, dtype=np.float64):
        """A :class:`backprop.Network` whose parameters are the values of ``point``."""
        net = Network(
            list(self.sizes),
            hidden=self.hidden,
            output=self.output,
            loss=self.loss_name,
            dtype=dtype,
        )
        for l in range(1, self.L + 1):
            net.weights[l - 1][...] = np.array(self.W[l].xreplace(point), dtype=np.float64)
            net.biases[l - 1][...] = np.array(self.b[l].xreplace(point), dtype=np.float64).ravel()
        return net

    def data_at(self, point: dict):
        """The input and target of ``point`` as NumPy rows: ``X`` ``(1, n_0)``, ``Y``
        ``(1, n_L)``."""
        X = np.array([[float(point[s]) for s in self.x]])
        Y = np.array([[float(point[s]) for s in self.y]])
        return X, Y


def exact_difference(lhs, rhs, point: dict | None = None):
    """``lhs - rhs`` (scalars or matrices) with ``point`` substituted, reduced exactly.

    The difference is brought over a common denominator and its numerator expanded; opaque
    atoms such as $\\sigma(3/8)$ are treated as independent symbols. Returns a SymPy
    expression (or matrix) that is exactly 0 when the two sides agree.
    """

    def reduce(e):
        e = sp.sympify(e)
        if point is not None:
            e = e.xreplace(point)
        e = sp.together(sp.expand(e))
        num, den = sp.fraction(e)
        num = sp.expand(num)
        if num != 0 and point is None:
            num = sp.simplify(num)
        return 0 if num == 0 else num / den

    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
        if lhs.shape != rhs.shape:
            raise AssertionError(f"shapes differ: {lhs.shape} vs {rhs.shape}")
        return (lhs - rhs).applyfunc(reduce)
    return reduce(sp.sympify(lhs) - sp.sympify(rhs))


def is_exactly_zero(d) -> bool:
    """True when :func:`exact_difference` returned 0 (every entry, for a matrix)."""
    if isinstance(d, sp.MatrixBase):
        return all(e == 0 for e in d)
    return d == 0


def assert_exact(lhs, rhs, points=None, label: str = "formula") -> int:
    """Assert ``lhs == rhs`` exactly, symbolically or at every point of ``points``.

    ``points``: ``None`` (symbolic: the difference must simplify to 0), one dict, or a
    non-empty list of dicts from :meth:`SymbolicNetwork.random_point`. Returns the number of
    comparisons made; raises ``AssertionError`` naming ``label`` and the nonzero difference
    otherwise.
    """
    if points is None or isinstance(points, dict):
        points = [points]
    if isinstance(points, (str, bytes)) or not hasattr(points, "__iter__"):
        raise TypeError(f"points must be None, a dict or a list of dicts, got {points!r:.80}")
    points = list(points)
    if not points:
        raise ValueError(
            "points must hold at least one point (an empty list would pass vacuously), got []"
        )
    for k, p in enumerate(points):
        if p is not None and not isinstance(p, dict):
            raise TypeError(f"points[{k}] must be a dict of symbol values, got {p!r:.80}")
        d = exact_difference(lhs, rhs, p)
        if not is_exactly_zero(d):
            where = "symbolically" if p is None else f"at random point {k}"
            raise AssertionError(f"{label}: the two sides differ {where}; difference = {d}")
    return len(points)


def to_float(expr, point: dict | None = None, digits: int = 30):
    """Evaluate an expression or matrix (at ``point``, if given) to NumPy float64.

    The value is computed by SymPy with ``digits`` significant digits, then rounded once.
    """
    if point is not None:
        expr = expr.xreplace(point)
    if isinstance(expr, sp.MatrixBase):
        return np.array(expr.applyfunc(lambda e: e.rewrite(sp.exp).evalf(digits)), dtype=np.float64)
    return float(sp.sympify(expr).rewrite(sp.exp).evalf(digits))
