r"""Binding tables of *gradient checking* and *gradient descent*, and the notation they add.

==============  ===========================================================================
context         instances and symbols
==============  ===========================================================================
``fd``          a smooth scalar function $f$ at a point $x$ with a step $h$ (several of each,
                and both signs of $\pm$): $f, f', f'', f''', f^{(4)}, f^{(5)}$ (exact, from
                SymPy), $O(\cdot) = 0$ (the annotation's tolerance must cover the remainder),
                $\varepsilon$ and $\varepsilon_f = \varepsilon\lvert f(x)\rvert$, the minimisers
                $h^\ast_{\text{fwd}}, h^\ast_{\text{cen}}$ of the error models (found numerically),
                $\operatorname{rel}$ (the package's ``relative_error``), vectors $g, \tilde g$
``directional`` a network's mean cost $C(\theta)$ as a function of all its parameters, the
                package's backpropagated gradient $\nabla C(\theta)$, a direction $v$, $h$
``smooth``      a smooth non-quadratic cost $C(\theta)$ of two parameters, a point $\theta$, a
                small $\Delta$, $o(\cdot) = 0$, $\varphi(\eta) = C(\theta - \eta\nabla
                C(\theta)^{\mathsf T})$; $\nabla C$ by the complex step
``bowl``        a quadratic bowl with Hessian $H$ (eigenvalues $\lambda_i$, $\lambda_{\min}$,
                $\lambda_{\max}$, condition number $\kappa$), minimum $\theta^*$, a rate $\eta$
                and the iterates of ``backprop.explore.descent.descend``: $e_k = \theta_k -
                \theta^*$, $u_{k,i}$ (coordinates in the eigenvectors), $\eta^*$ (the best
                fixed rate, found numerically), momentum $\mu$, $v_k$ on a constant gradient $g$
``step``        a network, a batch and a rate $\eta$: the right side of an update $\theta
                \leftarrow \dots$ at the current parameters, the left side after one
                full-batch epoch of ``Network.fit``
==============  ===========================================================================

The notation added to the evaluator (eq-core may move it into ``evaluate.py``/``latex.py``):
``\ast`` or ``*`` as a superscript name ($\theta^*$); ``\lceil x \rceil``; ``\mathcal B``;
``\pm`` evaluated with the instance's sign ``pm`` (instances come in pairs); ``\approx``
checked as ``=`` at the tolerance the annotation states; ``a \leftarrow b`` checked as "a
after the step equals b before it" on instances that can take a step.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from . import evaluate as _ev
from . import latex as _lx
from .contexts import H, register_context
from .evaluate import BindingError, EquationError, Fn
from .latex import Node

# --------------------------------------------------------------------------- notation
_lx._ALIAS.setdefault(r"\ast", "*")
_lx._ALIAS.setdefault(r"\star", "*")
_parser_atom = _lx._Parser.atom
_parser_starts = _lx._Parser._starts_factor


def _atom(self):
    t = self.peek()
    if t is not None and t.kind == "ch" and t.val == "*":
        self.next()
        return Node("sym", ("ast",))
    if t is not None and t.kind == "cmd" and t.val == r"\lceil":
        self.next()
        e = self.expr()
        self.expect(r"\rceil")
        return Node("call", (Node("sym", ("ceil",)), (e,)))
    if t is not None and t.kind == "cmd" and t.val == r"\mathcal":
        self.next()
        return Node("sym", (f"cal {self.next().val}",))
    return _parser_atom(self)


def _starts(self):
    t = self.peek()
    if t is not None and t.val in (r"\rceil", "*"):
        return False
    return _parser_starts(self)


_lx._Parser.atom = _atom
_lx._Parser._starts_factor = _starts

_evaluate_call = _ev.Evaluator.__call__


def _call(self, node):
    if node.kind == "pm":
        sign = getattr(self.inst, "pm", None)
        if sign is None:
            raise EquationError("\\pm needs instances with a sign")
        return _ev.add(self(node.args[0]), self(node.args[1]), float(sign))
    if node.kind == "sym" and node.args[0] == "ceil":
        return Fn(lambda v: float(math.ceil(float(v) - 1e-12)), "ceil", False)
    return _evaluate_call(self, node)


_ev.Evaluator.__call__ = _call

_compare = _ev.compare


def _compare_approx(x, y, rel, rtol, atol):
    return _compare(x, y, "=" if rel == "approx" else rel, rtol, atol)


_ev.compare = _compare_approx

_check_one = _ev._check_one


def _check_one_step(clause, inst, env, defs, letters, rtol, atol):
    if "<-" not in clause.rels:
        return _check_one(clause, inst, env, defs, letters, rtol, atol)
    if not hasattr(inst, "after") or clause.rels != ["<-"]:
        raise EquationError(f"{clause.text!r}: an assignment needs a context that takes a step")
    ev = _ev.Evaluator(inst, env, defs, letters)
    inst.after = True
    try:
        left = ev(clause.terms[0])
    finally:
        inst.after = False
    right = ev(clause.terms[1])
    msg = _compare(left, right, "=", rtol, atol)
    if msg:
        raise EquationError(
            f"{clause.text!r}: {msg} on {inst.describe()} {_ev._env_text(env)}\n"
            f"left side (after the step), {_ev.fmt(left)}\nright side (before it), {_ev.fmt(right)}"
        )
    return 1


_ev._check_one = _check_one_step


def _name(node):
    return node.args[0] if node is not None and node.kind in ("sym", "word") else None


# --------------------------------------------------------------------------- fd
class FdInstance:
    """A smooth f at x, a step h, a sign for the ``\\pm`` of a Taylor expansion."""

    L = 1

    def __init__(self, which, x, h, pm=1, seed=0):
        self.text, self.d = _fd_derivatives(which)
        self.x, self.h, self.pm = float(x), float(h), pm
        rng = np.random.default_rng(seed)
        self.g = rng.normal(size=(4, 1))
        self.gt = self.g + 1e-3 * rng.normal(size=(4, 1))
        self.eps = np.finfo(np.float64).eps

    def describe(self):
        return f"f(t) = {self.text} at x = {self.x:g}, h = {self.h:g}, sign {self.pm:+d}"

    def is_power(self, node, ev):
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        return not (base.kind == "sym" and base.args[0] == "f") and _name(node.args[1]) != "ast"

    def order(self, sup, primes):
        if sup is None:
            return primes
        inner = sup.args[0] if sup.kind == "paren" else sup
        if inner.kind != "num" or primes:
            raise BindingError("f^{(k)} needs a number k")
        return int(inner.args[0])

    def eps_f(self):
        return self.eps * abs(self.d[0](self.x))

    def hstar(self, which):
        """The minimiser of an error model of eq-gc-error-model, found numerically (golden
        section on log h: the model is convex there)."""
        f2, f3, ef = abs(self.d[2](self.x)), abs(self.d[3](self.x)), self.eps_f()
        model = {
            "fwd": lambda s: math.exp(s) / 2 * f2 + 2 * ef / math.exp(s),
            "cen": lambda s: math.exp(2 * s) / 6 * f3 + ef / math.exp(s),
        }[which]
        lo, hi, g = -60.0, 5.0, (math.sqrt(5) - 1) / 2
        while hi - lo > 1e-13:
            a, b = hi - g * (hi - lo), lo + g * (hi - lo)
            lo, hi = (lo, b) if model(a) < model(b) else (a, hi)
        return math.exp((lo + hi) / 2)

    def resolve(self, name, sup, sub, primes, ev):
        if name == "f" and sub is None:
            k = self.order(sup, primes)
            return Fn(self.d[k], "f" + "'" * k)
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name in ("O", "o") and sup is None and sub is None:
            return Fn(lambda *a: 0.0, name, False)
        if name == "x" and sup is None and sub is None:
            return self.x
        if name == "h" and sub is None and sup is None:
            return self.h
        if name == "h" and _name(sup) == "ast" and _name(sub) in ("fwd", "cen"):
            return self.hstar(_name(sub))
        if name == "epsilon" and sup is None:
            if sub is None:
                return self.eps
            if _name(sub) == "f":
                return self.eps_f()
        if name == "rel" and sup is None and sub is None:
            from ..gradcheck import relative_error

            return Fn(relative_error, "rel", False)
        if name == "g" and sup is None and sub is None:
            return self.g
        if name == "tilde g" and sup is None and sub is None:
            return self.gt
        raise BindingError(f"{name} is not bound in the fd context")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives in the fd context")

    def nabla(self, sub, body, ev):
        raise BindingError("no gradients in the fd context")

    def limit_direction(self, var):
        return None


@functools.cache
def _fd_derivatives(which: int):
    """f and its derivatives of orders 1..7 as NumPy functions, from SymPy."""
    t = sp.Symbol("t")
    f = [sp.exp(t) * sp.sin(t), sp.log(1 + t**2) + t**3 / 3][which]
    return str(f), [sp.lambdify(t, sp.diff(f, t, k), "numpy") for k in range(8)]


@functools.cache
def fd_instances():
    return [
        FdInstance(k, x, 0.02, pm, seed=k) for k in (0, 1) for x in (0.5, -1.2) for pm in (1, -1)
    ]


# --------------------------------------------------------------------------- directional
class DirectionalInstance:
    """A network's mean cost as a function of the column of all its parameters."""

    L = 1

    def __init__(self, sizes, seed, h=1e-5):
        from ..network import Network

        rng = np.random.default_rng(seed)
        self.net = Network(list(sizes), hidden="tanh", output="sigmoid", loss="mse", seed=seed)
        self.X = rng.normal(size=(6, sizes[0]))
        self.Y = rng.uniform(size=(6, sizes[-1]))
        self.theta = self.pack(self.net.weights, self.net.biases)
        self.v = rng.normal(size=self.theta.shape)
        self.h, self.sizes, self.seed = h, sizes, seed

    @staticmethod
    def pack(Ws, bs):
        return np.vstack([p.reshape(-1, 1) for p in list(Ws) + list(bs)])

    def cost(self, theta):
        """The mean quadratic cost at the parameters theta, written out here (complex-capable,
        so that the gradient on the page is a complex-step derivative, not the package's)."""
        theta = np.asarray(theta).reshape(-1)
        shapes = [W.shape for W in self.net.weights] + [b.shape for b in self.net.biases]
        parts, i = [], 0
        for shape in shapes:
            n = int(np.prod(shape))
            parts.append(theta[i : i + n].reshape(shape))
            i += n
        L = len(self.net.weights)
        A = self.X
        for l in range(L):
            Z = A @ parts[l].T + parts[L + l]
            A = np.tanh(Z) if l < L - 1 else 1 / (1 + np.exp(-Z))
        return 0.5 * np.mean(np.sum((A - self.Y) ** 2, axis=1))

    def describe(self):
        return f"network {'-'.join(map(str, self.sizes))}, 6 examples, seed {self.seed}"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if sup is None and sub is None and not primes:
            if name == "C":
                return Fn(self.cost, "C", False)
            if name == "theta":
                return self.theta
            if name == "v":
                return self.v
            if name == "h":
                return self.h
        raise BindingError(f"{name} is not bound in the directional context")

    def nabla(self, sub, body, ev):
        if sub is None and body.kind == "call" and _name(body.args[0]) == "C":
            dWs, dbs = self.net.gradients(self.X, self.Y)  # the package's backward pass
            return self.pack(dWs, dbs).T
        raise BindingError("only the gradient of C is bound")

    def derivative(self, num, den, ev):
        raise BindingError("write the gradient as \\nabla C(\\theta)")

    def limit_direction(self, var):
        return None


@functools.cache
def directional_instances():
    return [DirectionalInstance((3, 4, 2), 80), DirectionalInstance((2, 3, 3, 1), 81)]


# --------------------------------------------------------------------------- smooth cost
def _complex_gradient(f, theta):
    theta = np.asarray(theta, dtype=float)
    g = np.zeros((1, theta.size))
    for i in range(theta.size):
        e = np.zeros(theta.shape, dtype=complex)
        e.flat[i] = 1j * H
        g[0, i] = np.imag(f(theta + e)) / H
    return g


class SmoothInstance:
    """The chapter's non-quadratic cost of two parameters at a point, a small step Delta."""

    L = 1

    def __init__(self, theta, seed):
        rng = np.random.default_rng(seed)
        self.theta = np.array(theta, dtype=float).reshape(-1, 1)
        self.Delta = 1e-5 * rng.normal(size=(2, 1))
        self.seed = seed

    @staticmethod
    def C(th):
        t1, t2 = th[0, 0], th[1, 0]
        return np.log(1 + np.exp(t1 - 2 * t2)) + t1**2 * t2**2 / 4 + np.cos(t2)

    def grad(self, th):
        return _complex_gradient(self.C, th)

    def describe(self):
        t = self.theta.ravel()
        return f"C(t) = log(1 + e^(t1 - 2 t2)) + t1^2 t2^2 / 4 + cos t2 at theta = ({t[0]}, {t[1]})"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if sup is not None or sub is not None:
            raise BindingError(f"{name} has no indices in the smooth context")
        if name == "phi":
            g = self.grad(self.theta)

            def phi(eta):
                return self.C(self.theta - eta * g.T)

            f = Fn(phi, "phi", False)
            for _ in range(primes):
                f = f.derivative()
            return f
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name == "C":
            return Fn(self.C, "C", False)
        if name in ("o", "O"):
            return Fn(lambda *a: 0.0, name, False)
        if name == "theta":
            return self.theta
        if name == "Delta":
            return self.Delta
        raise BindingError(f"{name} is not bound in the smooth context")

    def nabla(self, sub, body, ev):
        if sub is None and body.kind == "call" and _name(body.args[0]) == "C":
            return self.grad(ev(body.args[1][0]))
        raise BindingError("only the gradient of C is bound")

    def derivative(self, num, den, ev):
        raise BindingError("write the gradient as \\nabla C(\\theta)")

    def limit_direction(self, var):
        return None


@functools.cache
def smooth_instances():
    return [SmoothInstance(t, s) for s, t in enumerate([(0.7, -0.4), (-1.1, 0.3), (0.2, 1.5)])]


register_context("fd", fd_instances, "", "", "smooth functions, a point, a step, both signs")
register_context("directional", directional_instances, "", "", "a network's cost of all theta")
register_context("smooth", smooth_instances, "", "", "a smooth cost of two parameters")
