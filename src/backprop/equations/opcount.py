r"""The ``counts`` context: multiplications counted by running both gradient routes.

The operation-count formulas of the backprop chapter ($\mathrm{ops}_\delta$,
$\mathrm{ops}_{\text{single}}$, the costs $c^w_r$, $c^b_r$ of a weight and a bias of layer $r$)
are checked against numbers obtained by *executing* the two routes on a network of the given
sizes with vector operations that count their scalar multiplications, and asserting that both
routes return the same gradients. The forward pass and the values $\sigma'(z^l)$ are not
counted, as in the text.
"""

from __future__ import annotations

import numpy as np

from .contexts import NetworkInstance, register_context
from .evaluate import BindingError, EquationError, Evaluator
from .latex import Node


class Counter:
    """Vector operations that count their scalar multiplications."""

    def __init__(self):
        self.mults = 0

    def had(self, u, v):
        self.mults += u.size
        return u * v

    def matvec(self, A, v):
        self.mults += A.size
        return A @ v

    def outer(self, u, v):
        self.mults += u.size * v.size
        return np.outer(u, v)

    def scale(self, c, v):
        self.mults += np.size(v)
        return c * v

    def dot(self, u, v):
        self.mults += u.size
        return float(u @ v)


def _local(net: NetworkInstance):
    a = {l: net.fp[("A", l)][0] for l in range(net.L + 1)}
    ds = {}
    for l in range(1, net.L + 1):
        z = net.fp[("Z", l)][0]
        ds[l] = np.imag(net.act(l)(z + 1e-30j)) / 1e-30
    return a, ds, a[net.L] - net.Y[0]


def delta_route(net: NetworkInstance, ops: Counter):
    a, ds, g = _local(net)
    d = ops.had(g, ds[net.L])
    dW = {}
    for l in range(net.L, 0, -1):
        if l < net.L:
            d = ops.had(ops.matvec(net.W[l + 1].T, d), ds[l])
        dW[l] = ops.outer(d, a[l - 1])
    return dW


def single_route(net: NetworkInstance, ops: Counter):
    """Every weight and bias by its own forward-mode walk; returns the gradients and the
    multiplications each weight (``cw[m]``) and each bias (``cb[m]``) of layer m cost."""
    a, ds, g = _local(net)
    L = net.L
    dL = ops.had(g, ds[L])
    dW = {m: np.zeros_like(net.W[m]) for m in range(1, L + 1)}
    cw, cb = {}, {}
    for m in range(1, L + 1):
        for j in range(net.sizes[m]):
            for k in [None, *range(net.sizes[m - 1])]:
                before = ops.mults
                if m == L:
                    val = dL[j] if k is None else ops.scale(dL[j], a[L - 1][k])
                else:
                    c = ds[m][j] if k is None else ops.scale(ds[m][j], a[m - 1][k])
                    v = ops.scale(c, net.W[m + 1][:, j])
                    for l in range(m + 2, L + 1):
                        v = ops.matvec(net.W[l], ops.had(ds[l - 1], v))
                    val = ops.dot(dL, v)
                cost = ops.mults - before
                store = cb if k is None else cw
                if store.setdefault(m, cost) != cost:
                    raise EquationError(f"parameters of layer {m} cost different amounts")
                if k is not None:
                    dW[m][j, k] = val
    return dW, cw, cb


class CountInstance:
    """One architecture; binds ``n_l``, ``L``, ``\\mathrm{ops}_\\delta``,
    ``\\mathrm{ops}_{\\text{single}}``, ``c^w_m``, ``c^b_m`` to counted values."""

    def __init__(self, sizes):
        self.net = NetworkInstance(tuple(sizes), "tanh", "identity", seed=0)
        self.L = self.net.L
        ops = Counter()
        dW = delta_route(self.net, ops)
        self.ops_delta = ops.mults
        ops = Counter()
        dW_single, self.cw, self.cb = single_route(self.net, ops)
        self.ops_single = ops.mults
        ev = Evaluator(self.net, {}, {}, "lm")
        for m in dW:  # both routes compute the true gradient (complex-step reference)
            ref = self.net.derivative(
                Node("sym", ("C",)), Node("sup", (Node("sym", ("W",)), Node("num", (m,)))), ev
            )
            for G in (dW[m], dW_single[m]):
                if not np.allclose(G, ref, rtol=1e-10, atol=1e-13):
                    raise EquationError(f"a counted route computes a wrong dC/dW^{m}")

    def describe(self) -> str:
        return f"architecture {'-'.join(map(str, self.net.sizes))} (counted runs)"

    def is_power(self, node, ev) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        return base.kind == "sym" and base.args[0] not in ("c",)

    def resolve(self, name, sup, sub, primes, ev):
        if name == "ops" and sub is not None and sub.kind in ("sym", "word"):
            which = sub.args[0]
            if which == "delta":
                return float(self.ops_delta)
            if which == "single":
                return float(self.ops_single)
        if name == "c" and sup is not None and sup.kind == "sym" and sub is not None:
            table = {"w": self.cw, "b": self.cb}.get(sup.args[0])
            if table is not None:
                m = ev.index(sub)
                if m not in table:
                    raise BindingError(f"c_{m} does not exist")
                return float(table[m])
        if name in ("n", "L") and not primes:
            return self.net.resolve(name, sup, sub, primes, ev)
        raise BindingError(f"{name} is not bound in the counts context")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives in the counts context")

    def nabla(self, sub, body, ev):
        raise BindingError("no derivatives in the counts context")

    def limit_direction(self, var):
        return None


def count_instances():
    return [
        CountInstance(s)
        for s in ((4, 5, 3, 2), (3, 7, 2, 5, 1), (2, 3), (6, 1, 6), (2, 3, 3, 2), (5, 4, 6, 3, 2))
    ]


register_context(
    "counts", count_instances, "lmr", "", "multiplications counted by running both routes"
)
