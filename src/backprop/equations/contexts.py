r"""Binding tables: the notation chapter's table of symbols, made executable.

A *context* is a list of concrete instances on which an equation is evaluated. Each instance
binds every symbol of the book to a value. The derivatives on the page
($\partial C/\partial W^l$, $\partial z^l/\partial a^{l-1}$, $\nabla_{z^l} C$, and $\delta^l$,
which is *defined* as $(\partial C/\partial z^l)^\T$) are computed **independently of the
package's backward pass**: by complex-step differentiation of a forward pass written here
(:func:`backprop.equations.evaluate.complex_step`), exact to rounding, so both sides are
compared in float64 with a tight tolerance.

``column`` (one example, vectors are columns; $C = \tfrac12\lVert a^L - y\rVert^2$ is the loss
of that example):

=============================  =================================================================
symbol                         value
=============================  =================================================================
``W^l``, ``b^l``               the parameters of layer $l$, shapes $(n_l, n_{l-1})$, $(n_l, 1)$
``w^l_{jk}``, ``b^l_j``        their entries (1-based)
``z^l``, ``a^l``               pre-activation and activation, columns; ``a^0 = x``
``x``, ``y``                   input and target columns
``n_l``, ``L``                 layer widths, number of layers
``\sigma``, ``\sigma_l``       the hidden activation; the activation of layer $l$ (``\sigma_L``
                               is the output activation, different from ``\sigma`` on purpose)
``\sigma'``, ``\sigma_l'``     their derivatives (complex step, entrywise)
``C``                          the loss of the example
``\delta^l``                   $(\partial C/\partial z^l)^\T$, a column (reference derivative)
``\nabla_{v} C``               the row $\partial C/\partial v$ for a vector $v$
``\frac{\partial u}{\partial v}``  Jacobian $(n_u, n_v)$; a scalar by a parameter ($W^l$,
                               $b^l$) has the parameter's shape; a vector by a scalar is a column
``e_j``, ``I``, ``I_n``        unit column and identity, sized by what they multiply
``\mathbf 1``                  (batch) the column of $M$ ones
=============================  =================================================================

``batch`` ($M$ examples as rows, as in {doc}`minibatch`; $C = \frac1M\sum_m C_m$ is the *mean*
cost and $C_m$ the loss of example $m$): ``X``, ``Y``, ``Z^l``, ``A^l`` (shape $(M, n_l)$),
``\Delta^l`` (row $m$ is $(\delta^l_m)^\T$), ``M``, ``\mathbf 1``, and the per-example columns
``x_m``, ``y_m``, ``z^l_m``, ``a^l_m``, ``\delta^l_m``; ``C_m``; derivatives of ``C`` and
``C_m`` as in ``column``.

A chapter can add its own context (a callable returning instances) with
:func:`register_context`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .evaluate import BindingError, EquationError, Fn, Lazy
from .latex import Node

__all__ = ["CONTEXTS", "NetworkInstance", "register_context"]

H = 1e-30  # complex step


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


ACTIVATIONS = {"sigmoid": _sigmoid, "tanh": np.tanh, "identity": lambda z: z}
LAYERED = {"W", "w", "b", "z", "a", "delta", "Z", "A", "Delta"}


@dataclass
class NetworkInstance:
    """A concrete network with one example (``M = None``: the ``column`` context) or a batch
    of ``M`` examples (the ``batch`` context), float64, seeded."""

    sizes: tuple
    hidden: str
    output: str
    seed: int
    M: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        s = self.sizes
        self.L = len(s) - 1
        self.W = {l: rng.normal(scale=0.8, size=(s[l], s[l - 1])) for l in range(1, self.L + 1)}
        self.b = {l: rng.normal(scale=0.5, size=(s[l], 1)) for l in range(1, self.L + 1)}
        m = 1 if self.M is None else self.M
        self.X = rng.normal(size=(m, s[0]))
        self.Y = rng.uniform(size=(m, s[-1]))
        self.fp = self.forward({})

    # the forward pass, complex-capable, rows = examples ---------------------------------
    def act(self, l: int):
        return ACTIVATIONS[self.output if l == self.L else self.hidden]

    def forward(self, pert: dict) -> dict:
        """All nodes; ``pert[(kind, l)]`` is added to W^l, b^l (columns), Z^l or A^l."""
        A = self.X + pert.get(("A", 0), 0)
        out = {("A", 0): A}
        for l in range(1, self.L + 1):
            W = self.W[l] + pert.get(("W", l), 0)
            b = self.b[l] + pert.get(("b", l), 0)
            Z = A @ W.T + b.T + pert.get(("Z", l), 0)
            A = self.act(l)(Z) + pert.get(("A", l), 0)
            out[("Z", l)], out[("A", l)] = Z, A
        per = 0.5 * ((A - self.Y) ** 2).sum(axis=1)  # no abs, no conj: analytic
        out[("Cm",)] = per
        out[("C",)] = per.mean()
        return out

    def describe(self) -> str:
        kind = "one example" if self.M is None else f"M = {self.M} examples"
        return (
            f"network {'-'.join(map(str, self.sizes))} ({self.hidden} hidden, "
            f"{self.output} output, quadratic cost, {kind}, seed {self.seed})"
        )

    @property
    def batch(self) -> bool:
        return self.M is not None

    # symbol table -------------------------------------------------------------------
    def is_power(self, node: Node, ev) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        return base.kind == "sym" and base.args[0] not in LAYERED | {"sigma", "D"}

    def layer(self, sup, ev, name, lo=1) -> int:
        if sup is None:
            raise BindingError(f"{name} needs a layer index")
        l = ev.index(sup)
        if not lo <= l <= self.L:
            raise BindingError(f"{name}^{{{l}}} does not exist (layers {lo}..{self.L})")
        return l

    def resolve(self, name, sup, sub, primes, ev):
        if name == "sigma":
            if sup is not None:
                raise BindingError("sigma has no superscript")
            if sub is None:
                f = Fn(ACTIVATIONS[self.hidden], "sigma")
            else:
                f = Fn(self.act(self.layer(sub, ev, "sigma_l")), "sigma_l")
            for _ in range(primes):
                f = f.derivative()
            return f
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name == "f" and sub is not None and sup is None:
            l = self.layer(sub, ev, "f_l")
            return self.layer_map(l)
        if name == "N" and sub is None and sup is None:
            maps = [self.layer_map(l) for l in range(1, self.L + 1)]

            def network(v):
                for f in maps:
                    v = f(v)
                return v

            return Fn(network, "N", False, self.sizes[0])
        if name == "n":
            l = ev.index(sub)
            if not 0 <= l <= self.L:
                raise BindingError(f"n_{l} does not exist")
            return float(self.sizes[l])
        if name == "L":
            return self._sub(float(self.L), sub, ev, name)
        if name == "e":
            return Lazy("e", ev.index(sub))
        if name == "I":
            return Lazy("I") if sub is None else np.eye(ev.index(sub))
        if name == "1" and self.batch:
            return np.ones((self.M, 1))
        if name == "M" and self.batch:
            return float(self.M)
        if name in ("W", "b"):
            l = self.layer(sup, ev, name)
            return self._sub((self.W if name == "W" else self.b)[l], sub, ev, name)
        if name == "w":
            l = self.layer(sup, ev, name)
            if sub is None and self.W[l].shape == (1, 1):  # the one weight of a 1-1-1 chain
                return self.W[l]
            if sub is None or len(ev.indices(sub)) != 2:
                raise BindingError("w^l needs two indices, w^l_{jk}")
            return self._sub(self.W[l], sub, ev, name)
        return self.resolve_example(name, sup, sub, ev)

    def resolve_example(self, name, sup, sub, ev):
        fp = self.fp
        if self.batch:
            if name in ("Z", "A", "Delta"):
                l = self.layer(sup, ev, name, lo=0 if name == "A" else 1)
                val = fp[("A" if name == "A" else "Z", l)] if name != "Delta" else self.Delta(l)
                return self._sub(val, sub, ev, name)
            if name in ("X", "Y") and sup is None:
                return self._sub(self.X if name == "X" else self.Y, sub, ev, name)
            if name == "C":
                if sub is None:
                    return float(fp[("C",)])
                return float(fp[("Cm",)][self.sample(sub, ev)])
            if name in ("x", "y", "z", "a", "delta"):
                if sub is None:
                    raise BindingError(f"{name} needs an example index _m in the batch context")
                idx = ev.indices(sub)
                m = self.sample(idx[0], ev)
                col = self.example_vector(name, sup, m, ev)
                if len(idx) == 1:
                    return col
                return ev.entry(col, Node("tuple", tuple(idx[1:])), name)
            raise BindingError(f"{name} is not bound in the batch context")
        if name in ("x", "y", "z", "a", "delta"):
            return self._sub(self.example_vector(name, sup, 0, ev), sub, ev, name)
        if name == "C" and sub is None:
            return float(fp[("C",)])
        raise BindingError(f"{name} is not bound in the column context")

    def layer_map(self, l: int) -> Fn:
        """f_l: a column a^{l-1} to the column sigma_l(W^l a^{l-1} + b^l)."""
        W, b, act = self.W[l], self.b[l], self.act(l)
        return Fn(lambda v: act(W @ v + b), f"f_{l}", False, self.sizes[l - 1])

    def sample(self, node, ev) -> int:
        m = ev.index(node)
        if ev.probe is not None and node.kind == "sym" and node.args[0] in ev.probe:
            ev.probe[node.args[0]].add(self.M)
        if not 1 <= m <= self.M:
            raise BindingError(f"example {m} does not exist (M = {self.M})")
        return m - 1

    def example_vector(self, name, sup, m, ev):
        if name in ("x", "y"):
            if sup is not None:
                raise BindingError(f"{name} has no layer index")
            return (self.X if name == "x" else self.Y)[m].reshape(-1, 1).astype(float)
        lo = 0 if name == "a" else 1
        l = self.layer(sup, ev, name, lo=lo)
        if name == "delta":
            return self.delta(l, m)
        return self.fp[("A" if name == "a" else "Z", l)][m].reshape(-1, 1)

    def _sub(self, val, sub, ev, name):
        if sub is None:
            return val
        return ev.entry(val, sub, name)

    # reference derivatives (complex step) --------------------------------------------
    def delta(self, l: int, m: int = 0) -> np.ndarray:
        """(dC_m/dz^l_m)^T: the loss of example m by its pre-activation, a column."""
        key = ("delta", l, m)
        if key not in self._cache:
            n = self.sizes[l]
            d = np.zeros((n, 1))
            for i in range(n):
                P = np.zeros((self.X.shape[0], n), dtype=complex)
                P[m, i] = 1j * H
                d[i, 0] = np.imag(self.forward({("Z", l): P})[("Cm",)][m]) / H
            self._cache[key] = d
        return self._cache[key]

    def Delta(self, l: int) -> np.ndarray:
        return np.hstack([self.delta(l, m) for m in range(self.M)]).T

    def ref(self, node: Node, ev):
        """(kind, layer, example, entry) of a differentiable node: C, C_m, z^l, a^l, x, W^l,
        w^l_{jk}, b^l, b^l_j, Z^l, A^l."""
        name, sup, sub = _peel(node)
        if name == "C":
            if sub is None:
                return ("C", None, None, None)
            return ("Cm", None, self.sample(sub, ev), None)
        if name in ("W", "b", "w"):
            l = self.layer(sup, ev, name)
            entry = None
            if sub is not None:
                entry = self._entry(
                    ev, ev.indices(sub), self.W[l].shape if name != "b" else (self.sizes[l],), name
                )
                if name == "b":
                    entry = (entry[0], 0)
            return ("W" if name in ("W", "w") else "b", l, None, entry)
        if name in ("z", "a", "x"):
            l = 0 if name == "x" else self.layer(sup, ev, name, lo=0 if name == "a" else 1)
            kind = "Z" if name == "z" else "A"
            idx = [] if sub is None else ev.indices(sub)
            if self.batch:
                if not idx:
                    raise BindingError(f"{name} needs an example index in the batch context")
                m, idx = self.sample(idx[0], ev), idx[1:]
            else:
                m = 0
            entry = self._entry(ev, idx, (self.sizes[l],), name) if idx else None
            return (kind, l, m, entry)
        if name in ("Z", "A") and self.batch:
            l = self.layer(sup, ev, name, lo=0 if name == "A" else 1)
            return (name + "mat", l, None, None)
        raise BindingError(f"cannot differentiate with respect to {name}")

    def _entry(self, ev, idx, shape, name) -> tuple:
        if len(idx) != len(shape):
            raise BindingError(f"{name}: {len(idx)} indices for shape {shape}")
        out = []
        for node, size in zip(idx, shape):
            if ev.probe is not None and node.kind == "sym" and node.args[0] in ev.probe:
                ev.probe[node.args[0]].add(size)
            i = ev.index(node)
            if not 1 <= i <= size:
                raise BindingError(f"{name}: index {i} out of range 1..{size}")
            out.append(i - 1)
        return tuple(out)

    def _read(self, out: dict, r):
        kind, l, m, entry = r
        if kind == "C":
            return out[("C",)]
        if kind == "Cm":
            return out[("Cm",)][m]
        if kind in ("Zmat", "Amat"):
            return out[(kind[0], l)]
        v = out[(kind, l)][m].reshape(-1, 1)
        return v if entry is None else v[entry[0], 0]

    def _shape(self, r):
        kind, l, m, entry = r
        if kind == "W":
            return self.W[l].shape
        if kind == "b":
            return self.b[l].shape
        if kind in ("Zmat", "Amat"):
            return self.fp[(kind[0], l)].shape
        return (self.sizes[l], 1)

    def derivative(self, num: Node, den: Node, ev):
        for node in (num, den):  # d C / d (W^l)^T is the transpose of d C / d W^l
            inner = node.args[0] if node.kind == "paren" else node
            if inner.kind == "sup" and inner.args[1].kind == "T":
                base = inner.args[0]
                num2, den2 = (base, den) if node is num else (num, base)
                return np.transpose(self.derivative(num2, den2, ev))
        out_r, in_r = self.ref(num, ev), self.ref(den, ev)
        key = ("d", out_r, in_r)
        if key in self._cache:
            return self._cache[key]
        kind, l, m, entry = in_r
        shape = self._shape(in_r)
        coords = [entry] if entry is not None else list(np.ndindex(*shape))
        cols = []
        for c in coords:
            P = np.zeros(shape, dtype=complex)
            P[c] = 1j * H
            if kind in ("W", "b"):
                pert = {(kind, l): P}
            elif kind in ("Zmat", "Amat"):
                pert = {(kind[0], l): P}
            else:  # a vector of one example: a row of the batch matrix
                Pm = np.zeros((self.X.shape[0], shape[0]), dtype=complex)
                Pm[m] = P[:, 0]
                pert = {(kind, l): Pm}
            cols.append(np.imag(np.asarray(self._read(self.forward(pert), out_r))) / H)
        scalar_out = np.ndim(cols[0]) == 0
        if entry is not None:
            val = float(cols[0]) if scalar_out else cols[0]
        elif scalar_out and kind in ("W", "b", "Zmat", "Amat"):
            val = np.array(cols, dtype=float).reshape(shape)
        elif scalar_out:
            val = np.array(cols, dtype=float).reshape(1, -1)
        elif kind in ("W", "Zmat", "Amat"):
            raise EquationError("the derivative of a vector by a matrix is not in the notation")
        else:
            val = np.hstack([c.reshape(-1, 1) for c in cols])
        self._cache[key] = val
        return val

    def nabla(self, sub, body, ev):
        if sub is None:
            raise BindingError("\\nabla needs the variable as a subscript, \\nabla_{z^l} C")
        val = self.derivative(body, sub, ev)
        if isinstance(val, np.ndarray) and val.shape[0] != 1:
            raise EquationError("\\nabla of a vector; the gradient is of a scalar")
        return val if isinstance(val, np.ndarray) else val

    def limit_direction(self, var):
        return None


def _peel(node: Node):
    sup = sub = None
    while node.kind in ("sup", "sub", "paren"):
        if node.kind == "sup":
            sup = node.args[1]
        elif node.kind == "sub":
            sub = node.args[1]
        node = node.args[0]
    if node.kind != "sym":
        raise BindingError(f"cannot differentiate {node}")
    return node.args[0], sup, sub


class LayerInstance:
    r"""One layer ``l`` of a network, with the unindexed names of a single layer:
    ``f`` (the layer map), ``W``, ``b``, ``a`` (its input a^{l-1}), ``z``, ``\sigma``
    (its activation), ``p`` (input size), ``q`` (output size; not ``m``, which the book keeps
    for the example index)."""

    def __init__(self, net: NetworkInstance, l: int):
        self.net, self.l, self.L = net, l, net.L

    def describe(self) -> str:
        return f"layer {self.l} of the {self.net.describe()}"

    def is_power(self, node, ev) -> bool:
        return False

    def resolve(self, name, sup, sub, primes, ev):
        net, l = self.net, self.l
        if sup is not None:
            raise BindingError(f"{name}^{{...}}: the layer context has no layer indices")
        if name == "sigma":
            f = Fn(net.act(l), "sigma")
            for _ in range(primes):
                f = f.derivative()
            return f
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name == "e" and sub is not None:
            return Lazy("e", ev.index(sub))
        if name == "I" and sub is None:
            return Lazy("I")
        table = {
            "f": net.layer_map(l),
            "W": net.W[l],
            "b": net.b[l],
            "a": net.fp[("A", l - 1)][0].reshape(-1, 1),
            "z": net.fp[("Z", l)][0].reshape(-1, 1),
            "p": float(net.sizes[l - 1]),
            "q": float(net.sizes[l]),
            "delta": net.delta(l),
            "C": float(net.fp[("C",)]),
        }
        if name not in table:
            raise BindingError(f"{name} is not bound in the layer context")
        val = table[name]
        return val if sub is None else ev.entry(val, sub, name)

    def indexed(self, node: Node) -> Node:
        """The same node in the network's indexed names: z -> z^l, a -> a^{l-1}, W -> W^l."""
        if node.kind == "sym" and node.args[0] in ("z", "W", "b", "w", "a"):
            layer = self.l - 1 if node.args[0] == "a" else self.l
            return Node("sup", (node, Node("num", (layer,))))
        return Node(
            node.kind, tuple(self.indexed(a) if isinstance(a, Node) else a for a in node.args)
        )

    def _net_ev(self, ev):
        from .evaluate import Evaluator

        inner = Evaluator(self.net, ev.env, {}, ev.index_letters)
        inner.probe = ev.probe
        return inner

    def derivative(self, num, den, ev):
        return self.net.derivative(self.indexed(num), self.indexed(den), self._net_ev(ev))

    def nabla(self, sub, body, ev):
        return self.net.nabla(self.indexed(sub), self.indexed(body), self._net_ev(ev))

    def limit_direction(self, var):
        return None


def layer_instances():
    return [LayerInstance(net, l) for net in column_networks() for l in range(1, net.L + 1)]


def column_networks():
    """Non-square layers (a dropped transpose fails on shape), square ones (it fails on
    value), two hidden/output activation pairs so that sigma and sigma_L differ."""
    return [
        NetworkInstance((3, 4, 2), "tanh", "sigmoid", seed=0),
        NetworkInstance((2, 3, 3, 2), "sigmoid", "identity", seed=1),
        NetworkInstance((3, 3, 3, 3), "tanh", "sigmoid", seed=2),
        NetworkInstance((4, 5, 3, 2), "sigmoid", "tanh", seed=3),
    ]


def chain_networks():
    """One neuron per layer (the warm-up of the backprop chapter): every W^l is 1 x 1."""
    return [NetworkInstance((1, 1, 1), "sigmoid", "sigmoid", seed=s) for s in (0, 1, 2)]


def batch_networks():
    return [
        NetworkInstance((3, 4, 2), "tanh", "sigmoid", seed=0, M=5),
        NetworkInstance((2, 3, 3, 2), "sigmoid", "identity", seed=1, M=4),
        NetworkInstance((3, 3, 3), "tanh", "sigmoid", seed=2, M=3),
    ]


CONTEXTS = {
    "column": (column_networks, "lmr", "ijk", "one example, columns"),
    "batch": (batch_networks, "l", "ijkm", "a batch of M examples, rows"),
    "chain": (chain_networks, "lm", "ijk", "a chain of single neurons"),
    "layer": (layer_instances, "", "ijk", "each layer of the column networks, unindexed names"),
    # (the derivatives chapter's contexts are added by backprop.equations.functions, the
    # operation counts' by backprop.equations.opcount)
}


def register_context(
    name: str, instances, layer_letters: str = "lm", entry_letters: str = "ijk", about: str = ""
) -> None:
    """Add a context for one chapter: ``instances()`` returns objects with the methods of
    :class:`NetworkInstance` (``resolve``, ``derivative``, ``nabla``, ``is_power``,
    ``limit_direction``, ``describe`` and ``L`` for the default layer range)."""
    CONTEXTS[name] = (instances, layer_letters, entry_letters, about)
