r"""Contexts of the chapter *The computational graph and reverse mode* (``autodiff.md``).

``autodiff`` (one example, columns, as ``column``): the network symbols of ``column`` (the
reference forward pass, with $\delta^l$ and every derivative by complex step), plus the nodes
that only the recorded graph has and the **adjoints the engine computed**:

* ``u^l``, ``d``, ``q``, ``r``: $W^l a^{l-1}$, $a^L - y$, $d \odot d$, $\mathbf 1^\T q$, read
  from the tape of :mod:`backprop.autodiff`;
* ``\bar v`` for ``v`` in W, w, b, u, z, a, d, q, r, C: the adjoint of that node after
  ``tape.backward(loss)`` (the engine's, not a reference);
* ``\mathbf 1``: the column of $n_L$ ones;
* ``\dot W^l``, ``\dot w^l_{jk}``, ``\dot b^l``, ``\dot z^l``, ``\dot a^l``, ``\dot u^l``,
  ``\dot C``: a seeded random direction of the parameters and the tangents it causes, by
  complex step of the reference forward pass ($\dot a^0 = 0$).

``adcounts`` (architectures and batches): ``N_{\text{scalar}}`` (operation nodes counted by
running :mod:`backprop.autodiff_scalar`), ``N_{\text{tape}}`` (primitives on the tape),
``B_{\text{tape}}`` (bytes the tape keeps), ``M``, ``n_l``, ``L``, ``P``, ``s`` (8 bytes) and
``\chi_l`` (1 if layer $l$ has an activation, 0 for the identity).
"""

from __future__ import annotations

import numpy as np

from .. import autodiff, autodiff_scalar
from .contexts import H, NetworkInstance, register_context
from .evaluate import BindingError

_NODE_NAMES = ("d", "q", "r")


class AutodiffInstance(NetworkInstance):
    """A ``column`` network whose forward pass is also recorded and walked by the engine."""

    def __post_init__(self):
        super().__post_init__()
        L = self.L
        weights = [self.W[l] for l in range(1, L + 1)]
        biases = [self.b[l][:, 0] for l in range(1, L + 1)]
        g = autodiff.record_network(weights, biases, self.X, self.Y, self.hidden, self.output)
        g.tape.backward(g.loss)
        self.graph = g
        self.named = {n.name: n for n in g.tape.nodes if n.name in _NODE_NAMES}
        rng = np.random.default_rng(1000 + self.seed)
        self.Wdot = {l: rng.normal(size=self.W[l].shape) for l in range(1, L + 1)}
        self.bdot = {l: rng.normal(size=self.b[l].shape) for l in range(1, L + 1)}
        pert = {("W", l): 1j * H * self.Wdot[l] for l in range(1, L + 1)}
        pert.update({("b", l): 1j * H * self.bdot[l] for l in range(1, L + 1)})
        out = self.forward(pert)
        self.zdot = {l: np.imag(out[("Z", l)][0]).reshape(-1, 1) / H for l in range(1, L + 1)}
        self.adot = {l: np.imag(out[("A", l)][0]).reshape(-1, 1) / H for l in range(0, L + 1)}
        self.Cdot = float(np.imag(out[("C",)]) / H)

    def describe(self) -> str:
        return super().describe() + ", recorded and walked by backprop.autodiff"

    def is_power(self, node, ev) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        if base.kind == "sym" and base.args[0].split(" ")[-1] in ("u", "z", "a", "W", "b", "w"):
            return False
        return super().is_power(node, ev)

    def _column(self, node) -> np.ndarray:
        return np.asarray(node.grad, dtype=float).reshape(-1, 1)

    def resolve(self, name, sup, sub, primes, ev):
        if name.startswith(("bar ", "dot ")) and not primes:
            return self._sub(self._accent(name[:3], name[4:], sup, ev), sub, ev, name)
        if name in ("u", "d", "q", "r", "1") and not primes:
            if name == "u":
                val = self.graph.u[self.layer(sup, ev, "u")].value
            elif name == "1":
                val = np.ones((self.sizes[-1], 1))
            else:
                val = self.named[name].value
                val = float(val) if val.ndim == 0 else val
            return self._sub(val, sub, ev, name)
        return super().resolve(name, sup, sub, primes, ev)

    def _accent(self, accent, base, sup, ev):
        g = self.graph
        if base in ("C", "d", "q", "r"):
            if sup is not None:
                raise BindingError(f"{base} has no layer index")
            node = g.loss if base == "C" else self.named[base]
            if accent == "dot":
                if base != "C":
                    raise BindingError(f"\\dot {base} is not bound")
                return self.Cdot
            return float(node.grad) if node.grad.ndim == 0 else np.asarray(node.grad)
        lo = 0 if base == "a" else 1
        l = self.layer(sup, ev, f"{accent} {base}", lo=lo)
        if accent == "dot":
            table = {
                "W": self.Wdot.get(l),
                "w": self.Wdot.get(l),
                "b": self.bdot.get(l),
                "z": self.zdot.get(l),
                "a": self.adot.get(l),
                "u": None if l == 0 else self.zdot[l] - self.bdot[l],
            }
            if table.get(base) is None:
                raise BindingError(f"\\dot {base}^{l} is not bound")
            return table[base]
        if base in ("W", "w"):
            return np.asarray(g.W[l].grad)
        nodes = {"b": g.b, "u": g.u, "z": g.z, "a": g.a}
        if base not in nodes or l not in nodes[base]:
            raise BindingError(f"\\bar {base}^{l} is not bound")
        return self._column(nodes[base][l])

    def derivative(self, num, den, ev):
        if num.kind == den.kind == "sym" and num.args == den.args == ("C",):
            return 1.0  # dC/dC
        return super().derivative(num, den, ev)


def autodiff_instances():
    """Non-square layers (a dropped transpose fails on shape), square ones (it fails on
    value), and hidden and output activations that differ."""
    return [
        AutodiffInstance((3, 4, 2), "tanh", "sigmoid", seed=0),
        AutodiffInstance((2, 3, 3, 2), "sigmoid", "identity", seed=1),
        AutodiffInstance((3, 3, 3, 3), "tanh", "sigmoid", seed=2),
        AutodiffInstance((4, 5, 3, 2), "sigmoid", "tanh", seed=3),
    ]


class CountInstance:
    """One architecture and batch: the scalar graph and the tape built, counted and measured."""

    def __init__(self, sizes, M, hidden, output, seed=0):
        self.net = NetworkInstance(tuple(sizes), hidden, output, seed=seed, M=M)
        self.L, self.M, self.sizes = self.net.L, M, tuple(sizes)
        self.hidden, self.output = hidden, output
        weights = [self.net.W[l] for l in range(1, self.L + 1)]
        biases = [self.net.b[l][:, 0] for l in range(1, self.L + 1)]
        X, Y = self.net.X, self.net.Y
        loss, _, _ = autodiff_scalar.network_loss(weights, biases, X, Y, hidden, output)
        self.n_scalar = loss.backward()
        g = autodiff.record_network(weights, biases, X, Y, hidden, output)
        g.tape.backward(g.loss)
        if abs(loss.data - float(g.loss.value)) > 1e-12 * max(1.0, abs(loss.data)):
            raise BindingError("the scalar graph and the tape compute different losses")
        self.n_tape = g.tape.n_vjps
        self.bytes_tape = g.tape.nbytes
        self.P = sum(W.size + b.size for W, b in zip(weights, biases))

    def describe(self) -> str:
        arch = "-".join(map(str, self.sizes))
        return f"architecture {arch}, M = {self.M}, {self.hidden}/{self.output} (counted runs)"

    def is_power(self, node, ev) -> bool:
        return False

    def resolve(self, name, sup, sub, primes, ev):
        if primes:
            raise BindingError(f"{name}' is not bound")
        word = None if sub is None or sub.kind not in ("sym", "word", "text") else sub.args[0]
        if name == "N" and word in ("scalar", "tape"):
            return float(self.n_scalar if word == "scalar" else self.n_tape)
        if name == "B" and word == "tape":
            return float(self.bytes_tape)
        if name == "chi" and sup is None and sub is not None:
            l = ev.index(sub)
            if not 1 <= l <= self.L:
                raise BindingError(f"chi_{l} does not exist")
            act = self.output if l == self.L else self.hidden
            return float(act != "identity")
        if sup is None and sub is None and name in ("M", "P", "s"):
            return float({"M": self.M, "P": self.P, "s": 8}[name])
        if name in ("n", "L"):
            return self.net.resolve(name, sup, sub, primes, ev)
        raise BindingError(f"{name} is not bound in the adcounts context")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives in the adcounts context")

    def nabla(self, sub, body, ev):
        raise BindingError("no derivatives in the adcounts context")

    def limit_direction(self, var):
        return None


def count_instances():
    return [
        CountInstance((2, 3, 2), 1, "sigmoid", "sigmoid"),
        CountInstance((3, 4, 4, 2), 3, "tanh", "identity"),
        CountInstance((2, 5, 1), 4, "identity", "sigmoid"),
        CountInstance((4, 3, 3, 3, 2), 2, "sigmoid", "tanh"),
    ]


register_context("autodiff", autodiff_instances, "l", "ijk", "recorded graph and adjoints")
register_context("adcounts", count_instances, "l", "", "scalar graph and tape, counted")
