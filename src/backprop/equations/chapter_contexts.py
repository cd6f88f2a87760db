r"""Binding tables of the chapters after *backprop*: more symbols, same rules.

Each context below is registered with :func:`backprop.equations.register_context` and used by
an annotation line ``% check: NAME`` in its chapter. As in :mod:`backprop.equations.contexts`,
derivatives on the page are complex-step derivatives of a forward pass written here, never the
package's backward pass.

=================  ==========================================================================
context            instances and the symbols they add
=================  ==========================================================================
``sigmoid``        one example, **every** layer a sigmoid (so $\sigma = \sigma_L$), quadratic
                   cost $C = \tfrac12\lVert a^L - y\rVert^2$; also $\tilde C = \lVert a^L -
                   y\rVert^2$ and $\tilde\delta^l = (\partial\tilde C/\partial z^l)^\T$;
                   Euler's $e$, $\exp$, $\log$
``sigmoid3``       the same with $L = 3$ (displays that name the layers 1, 2, 3)
``neuron``         one sigmoid neuron with input $x = 1$: $w$, $b$, $z = w + b$, $a = \sigma(z)$,
                   target $y$, $C = \tfrac12 (a - y)^2$; symbols without a layer index
``scalar``         a real number $z$ (several values, saturated ones included) and the
                   sigmoid $\sigma$; Euler's $e$
``softmax``        one example, sigmoid hidden layers, a softmax output $a = a^L$ with the
                   cross-entropy $C = -\sum_j y_j \log a_j$ (one-hot and soft targets);
                   $a$, $z$ without index mean $a^L$, $z^L$; $n = n_L$; $\Sigma$;
                   $\operatorname{softmax}$, $\operatorname{LSE}$; a shift $c$; $m = \max_k z_k$
``softmax-batch``  $M$ examples as rows with the same output and loss; $C$ the mean, $C_m$
                   one example's loss; $a_{mj}$, $y_{mj}$
``binary``         one sigmoid output neuron with the binary cross-entropy; $a$, $z$, $y$, $C$
``params``         a batch (as ``batch``) plus $\theta$, the column of all weights and biases,
                   $\nabla_\theta C_m$ (a row), $\eta$ and $\eta_{\text{sum}}$
=================  ==========================================================================
"""

from __future__ import annotations

import math

import numpy as np

from . import evaluate as _ev
from .contexts import H, NetworkInstance, register_context
from .evaluate import BindingError, Fn
from .latex import Node

__all__ = ["SoftmaxInstance", "SigmoidInstance", "ScalarInstance", "NeuronInstance"]

# --------------------------------------------------------------------------- notation
# Three readings of the book's notation that these chapters need, added to the evaluator here
# (eq-core may move them into evaluate.py): a literal number plus or minus an array is entrywise
# (``1 - a^L`` is the vector of ones minus a^L; a *symbol* of the wrong shape still fails);
# ``\lVert A\rVert_2`` and ``\lVert A\rVert_F`` are the spectral and Frobenius norms; Euler's
# ``e`` (bound to math.e by a context) raised to an array is entrywise.
_evaluate_call = _ev.Evaluator.__call__


def _extended_call(self, node):
    k, a = node.kind, node.args
    if k in ("add", "minus") and "num" in (a[0].kind, a[1].kind):
        x, y = self(a[0]), self(a[1])
        if isinstance(x, np.ndarray) != isinstance(y, np.ndarray) and (
            isinstance(x, float | int) or isinstance(y, float | int)
        ):
            return x + y if k == "add" else x - y
        return _ev.add(x, y, 1.0 if k == "add" else -1.0)
    if k == "sub" and a[0].kind == "norm" and a[1].kind in ("num", "sym"):
        which = a[1].args[0]
        if which in (2, "F", float("inf")):
            v = self(a[0].args[0])
            if isinstance(v, np.ndarray):
                if which == float("inf"):
                    return float(np.max(np.abs(v)))
                frobenius = np.sqrt(np.sum(v * v))
                return float(np.linalg.norm(v, 2) if which == 2 else frobenius)
    if k == "mul" and len(a) == 2 and a[1].kind == "sub" and a[1].args[0].kind == "paren":
        # f(x)_i, which the parser reads as f times (x)_i: component i of f(x)
        f = self(a[0])
        if isinstance(f, Fn):
            return self.entry(f(self(a[1].args[0])), a[1].args[1], "f(x)")
    if k == "sup" and a[0].kind == "sym" and a[0].args[0] == "e" and a[1].kind != "T":
        try:
            base = self(a[0])
        except _ev.EquationError:
            base = None
        if isinstance(base, float) and base == math.e:
            return np.exp(self(a[1]))
    return _evaluate_call(self, node)


_ev.Evaluator.__call__ = _extended_call


def _layer(node: Node, L: int) -> Node:
    """``a`` -> ``a^L`` (with the subscript kept) for the symbols that a chapter writes without
    a layer index."""
    if node.kind == "sym":
        return Node("sup", (node, Node("num", (L,))))
    if node.kind == "sub" and node.args[0].kind == "sym":
        return Node("sub", (_layer(node.args[0], L), node.args[1]))
    return node


def _bare(node: Node):
    """The name of a symbol written without a superscript (``a``, ``a_i``), else None."""
    if node.kind == "sub":
        node = node.args[0]
    return node.args[0] if node.kind == "sym" else None


class _Extras:
    """Euler's e, exp and log, and symbols written without their layer index."""

    bare = ()  # names that mean layer ``bare_layer`` when written without a superscript

    @property
    def bare_layer(self) -> int:
        return self.L

    def is_power(self, node, ev) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        if base.kind == "sym" and base.args[0] in ("e", "Sigma"):
            return True
        return super().is_power(node, ev)

    def resolve(self, name, sup, sub, primes, ev):
        if not primes and sup is None and sub is None:
            if name == "e":
                return math.e
            if name == "exp":
                return Fn(np.exp, "exp")
            if name == "log":
                return Fn(np.log, "log")
        if name in self.bare and sup is None:
            sup = Node("num", (self.bare_layer,))
        return super().resolve(name, sup, sub, primes, ev)

    def derivative(self, num, den, ev):
        if _bare(num) in self.bare:
            num = _layer(num, self.bare_layer)
        if _bare(den) in self.bare:
            den = _layer(den, self.bare_layer)
        return super().derivative(num, den, ev)


class SigmoidInstance(_Extras, NetworkInstance):
    """Every layer a sigmoid; the quadratic cost with and without its factor 1/2."""

    def __init__(self, sizes, seed, M=None):
        super().__init__(tuple(sizes), "sigmoid", "sigmoid", seed, M)

    def forward(self, pert):
        out = super().forward(pert)
        out[("Ct",)] = 2 * out[("C",)]  # ||a - y||^2 of the one example (no factor 1/2)
        out[("Ch",)] = out[("Ct",)] / self.sizes[-1]  # note 001: the mean over the n_L outputs
        return out

    def describe(self):
        return super().describe().replace("(sigmoid hidden, sigmoid output", "(all sigmoid")

    def is_power(self, node, ev) -> bool:
        base = node.args[0]
        if base.kind == "sym" and base.args[0] in ("tilde delta", "hat delta"):
            return False  # a layer index
        return super().is_power(node, ev)

    def resolve(self, name, sup, sub, primes, ev):
        cost = {"tilde": "Ct", "hat": "Ch"}
        if name in ("tilde C", "hat C") and sup is None and sub is None and not primes:
            return float(self.fp[(cost[name.split()[0]],)])
        if name in ("tilde delta", "hat delta") and sub is None and not primes:
            l = self.layer(sup, ev, name)
            return self._other_delta(cost[name.split()[0]], l)
        return super().resolve(name, sup, sub, primes, ev)

    def _other_delta(self, key_cost, l):
        """(d C'/d z^l)^T for the cost C' stored under ``key_cost``, by the complex step."""
        key = ("delta of", key_cost, l)
        if key not in self._cache:
            n = self.sizes[l]
            d = np.zeros((n, 1))
            for i in range(n):
                P = np.zeros((1, n), dtype=complex)
                P[0, i] = 1j * H
                d[i, 0] = np.imag(self.forward({("Z", l): P})[(key_cost,)]) / H
            self._cache[key] = d
        return self._cache[key]


def sigmoid_networks():
    return [
        SigmoidInstance((3, 4, 2), seed=10),
        SigmoidInstance((2, 3, 3, 2), seed=11),
        SigmoidInstance((3, 3, 3, 3), seed=12),
        SigmoidInstance((4, 5, 3, 2), seed=13),
    ]


def sigmoid3_networks():
    return [
        SigmoidInstance((2, 3, 3, 2), seed=21),
        SigmoidInstance((3, 3, 3, 3), seed=22),
        SigmoidInstance((4, 2, 5, 3), seed=23),
    ]


class NeuronInstance(_Extras, NetworkInstance):
    """One sigmoid neuron, input x = 1, a random target y in (0, 1)."""

    bare = ("w", "b", "z", "a", "x", "y")
    bare_layer = 1

    def __init__(self, seed):
        super().__init__((1, 1), "sigmoid", "sigmoid", seed)
        self.X = np.ones((1, 1))
        self.fp = self.forward({})

    def resolve(self, name, sup, sub, primes, ev):
        if name in ("x", "y") and sup is None:  # no layer index for the data
            return self.example_vector(name, None, 0, ev)
        if name == "w" and sup is None:
            return self.W[1]
        return super().resolve(name, sup, sub, primes, ev)

    def describe(self):
        return f"one sigmoid neuron, x = 1, seed {self.seed}"


def neurons():
    return [NeuronInstance(s) for s in (30, 31, 32, 33)]


class ScalarInstance:
    """A real number z, the sigmoid, Euler's e."""

    L = 1

    def __init__(self, z):
        self.z = float(z)

    def describe(self):
        return f"z = {self.z:g}"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if sup is not None or sub is not None:
            raise BindingError(f"{name} has no indices in the scalar context")
        if name == "sigma":  # the value from the package, derivatives by the complex step
            if not primes:
                return Fn(_package_sigmoid, "sigma")
            f = Fn(lambda v: 1.0 / (1.0 + np.exp(-v)), "sigma")
            for _ in range(primes):
                f = f.derivative()
            return f
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name == "z":
            return self.z
        if name == "e":
            return math.e
        if name == "exp":
            return Fn(np.exp, "exp")
        if name == "log":
            return Fn(np.log, "log")
        raise BindingError(f"{name} is not bound in the scalar context")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives in the scalar context")

    def nabla(self, sub, body, ev):
        raise BindingError("no derivatives in the scalar context")

    def limit_direction(self, var):
        return None


def _package_sigmoid(v):
    from ..activations import sigmoid

    return float(sigmoid(np.asarray(v, dtype=float)))


def scalars():
    return [ScalarInstance(z) for z in (-6.0, -1.3, -0.2, 0.0, 0.7, 2.5, 9.0)]


def _softmax_rows(Z):
    E = np.exp(Z - np.real(Z).max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


class SoftmaxInstance(_Extras, NetworkInstance):
    """A softmax output with the cross-entropy of a one-hot target (rows of Y)."""

    bare = ("a", "z")

    def __init__(self, sizes, hidden, seed, M=None, shift=1.7, soft=False):
        super().__init__(tuple(sizes), hidden, "sigmoid", seed, M)  # output replaced below
        self.output = "softmax"
        rng = np.random.default_rng(seed + 1000)
        m = self.X.shape[0]
        if soft:  # a probability vector that is not one-hot
            self.Y = rng.dirichlet(np.ones(sizes[-1]), size=m)
        else:
            self.Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        self.soft = soft
        self.shift = shift
        self._cache.clear()
        self.fp = self.forward({})

    def act(self, l):
        return _softmax_rows if l == self.L else super().act(l)

    def forward(self, pert):
        if self.output != "softmax":  # during NetworkInstance.__init__
            return super().forward(pert)
        out = super().forward(pert)
        A = out[("A", self.L)]
        per = -(self.Y * np.log(A)).sum(axis=1)  # analytic in A: complex step works
        out[("Cm",)] = per
        out[("C",)] = per.mean()
        return out

    def describe(self):
        kind = "one example" if self.M is None else f"M = {self.M} examples"
        return (
            f"network {'-'.join(map(str, self.sizes))} ({self.hidden} hidden, softmax output, "
            f"cross-entropy, {'soft' if self.soft else 'one-hot'} target, {kind}, "
            f"seed {self.seed})"
        )

    def resolve(self, name, sup, sub, primes, ev):
        if name == "sigma" and sub is not None and not primes:
            if self.layer(sub, ev, "sigma_l") == self.L:
                return Fn(lambda z: _softmax_rows(z.T).T, "softmax", elementwise=False)
        if not primes and sup is None:
            if name == "softmax" and sub is None:
                return Fn(lambda z: _softmax_rows(np.asarray(z).T).T, "softmax", False)
            if name == "LSE" and sub is None:
                return Fn(lambda z: float(np.log(np.exp(np.asarray(z)).sum())), "LSE", False)
            if name == "n" and sub is None:
                return float(self.sizes[-1])
            if name == "c" and sub is None:
                return self.shift
            if name == "m" and sub is None and not self.batch:
                return float(self.fp[("Z", self.L)][0].max())
            if name == "Sigma" and sub is None and not self.batch:
                return float(np.exp(self.fp[("Z", self.L)][0]).sum())
            if name == "1" and not self.batch:
                return np.ones((self.sizes[-1], 1))
        if name == "y" and sup is None and not self.batch:
            return self._sub(self.example_vector("y", None, 0, ev), sub, ev, "y")
        return super().resolve(name, sup, sub, primes, ev)


def softmax_networks():
    return [
        SoftmaxInstance((3, 4, 3), "sigmoid", seed=40),
        SoftmaxInstance((2, 3, 3, 4), "sigmoid", seed=41),
        SoftmaxInstance((4, 4, 4), "sigmoid", seed=42, soft=True),
    ]


def softmax_batches():
    return [
        SoftmaxInstance((3, 4, 3), "tanh", seed=50, M=5),
        SoftmaxInstance((2, 3, 4), "sigmoid", seed=51, M=4),
    ]


class BinaryInstance(_Extras, NetworkInstance):
    """One sigmoid output neuron with the binary cross-entropy of a target y in [0, 1]."""

    bare = ("a", "z")

    def __init__(self, sizes, seed):
        super().__init__(tuple(sizes), "tanh", "sigmoid", seed)
        self.binary = True
        self._cache.clear()
        self.fp = self.forward({})

    def forward(self, pert):
        out = super().forward(pert)
        if getattr(self, "binary", False):
            A, Y = out[("A", self.L)], self.Y
            per = -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum(axis=1)
            out[("Cm",)] = per
            out[("C",)] = per.mean()
        return out

    def resolve(self, name, sup, sub, primes, ev):
        if name == "y" and sup is None:
            return self._sub(self.example_vector("y", None, 0, ev), sub, ev, "y")
        return super().resolve(name, sup, sub, primes, ev)

    def describe(self):
        return (
            f"network {'-'.join(map(str, self.sizes))} (tanh hidden, one sigmoid output, "
            f"binary cross-entropy, seed {self.seed})"
        )


def binaries():
    return [BinaryInstance((2, 3, 1), 60), BinaryInstance((3, 1), 61), BinaryInstance((1, 1), 62)]


class ParamsInstance(NetworkInstance):
    r"""A batch, with $\theta$ (all weights and biases as one column, layer by layer, each
    $W^l$ row by row, then $b^l$), $\nabla_\theta C_m$ and two learning rates."""

    def __init__(self, sizes, seed, M, eta=0.3):
        super().__init__(tuple(sizes), "tanh", "sigmoid", seed, M)
        self.eta = eta

    def _parts(self):
        return [(k, l) for l in range(1, self.L + 1) for k in ("W", "b")]

    def theta(self):
        return np.vstack([getattr(self, k)[l].reshape(-1, 1) for k, l in self._parts()])

    def grad_theta(self, m):
        key = ("grad theta", m)
        if key not in self._cache:
            row = []
            for k, l in self._parts():
                shape = getattr(self, k)[l].shape
                for c in np.ndindex(*shape):
                    P = np.zeros(shape, dtype=complex)
                    P[c] = 1j * H
                    row.append(np.imag(self.forward({(k, l): P})[("Cm",)][m]) / H)
            self._cache[key] = np.array(row).reshape(1, -1)
        return self._cache[key]

    def resolve(self, name, sup, sub, primes, ev):
        if name == "theta" and sup is None and sub is None and not primes:
            return self.theta()
        if name == "eta" and sup is None and not primes:
            if sub is None:
                return self.eta
            if sub.kind in ("sym", "word") and sub.args[0] == "sum":
                return self.eta / self.M
        return super().resolve(name, sup, sub, primes, ev)

    def nabla(self, sub, body, ev):
        if sub is not None and sub.kind == "sym" and sub.args[0] == "theta":
            if body.kind == "sub" and body.args[0].kind == "sym" and body.args[0].args[0] == "C":
                return self.grad_theta(self.sample(body.args[1], ev))
            raise BindingError("nabla_theta of what?")
        return super().nabla(sub, body, ev)


def params_batches():
    return [ParamsInstance((3, 4, 2), 70, M=5), ParamsInstance((2, 3, 3, 2), 71, M=3)]


register_context("sigmoid", sigmoid_networks, "lm", "ijk", "one example, every layer a sigmoid")
register_context("sigmoid3", sigmoid3_networks, "lm", "ijk", "all-sigmoid networks with L = 3")
register_context("neuron", neurons, "", "", "one sigmoid neuron with input 1")
register_context("scalar", scalars, "", "", "real numbers z, saturated ones included")
register_context("softmax", softmax_networks, "lm", "ijk", "softmax output, cross-entropy")
register_context("softmax-batch", softmax_batches, "l", "ijkm", "softmax output, a batch")
register_context("binary", binaries, "", "", "one sigmoid output, binary cross-entropy")
register_context("params", params_batches, "l", "ijkm", "a batch and all parameters theta")

from . import descent_contexts  # noqa: E402, F401  (gradient checking and gradient descent)
