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
from .contexts import H, NetworkInstance, register_context
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
    if t is not None and t.kind == "cmd" and t.val == r"\nabla":
        nxt = self.peek(1)
        if nxt is not None and nxt.val == "^":  # \nabla^2 C: the Hessian
            self.next()
            self.next()
            if _name(self.arg()) != 2 and self.toks[self.i - 1].val != "2":
                raise _lx.ParseError("only \\nabla^2 (the Hessian) is read")
            return Node("hessian", (self.postfix(),))
        if nxt is not None and nxt.val != "_":  # \nabla C(\theta)^T: the gradient of C at theta,
            self.next()  # transposed; the parser would read C times (theta)^T
            f = self.postfix()
            if self.at("("):
                self.next()
                x = self.expr_rel()
                self.expect(")")
                f = Node("call", (f, (x,)))
            return Node("nabla", (None, f))
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
    if node.kind == "sym" and node.args[0] in ("ceil", "max", "min") and self.inst is not None:
        if node.args[0] == "ceil":
            return Fn(lambda v: float(math.ceil(float(v) - 1e-12)), "ceil", False)
        if getattr(self.inst, "binds_max", False):
            return Fn(lambda *v: float((max if node.args[0] == "max" else min)(v)), "max", False)
    if node.kind == "nabla" and node.args[0] is None:
        body = node.args[1]  # \nabla C(\theta)^T: the transpose belongs outside the gradient
        if body.kind == "sup" and body.args[1].kind == "T" and body.args[0].kind == "call":
            return _ev.transpose(self(Node("nabla", (None, body.args[0]))))
    if node.kind == "hessian":
        f = self(node.args[0])
        if not isinstance(f, Fn) or not hasattr(self.inst, "hessian_point"):
            raise EquationError("\\nabla^2 needs a function and a point")
        x = np.asarray(self.inst.hessian_point(), dtype=float)
        h, n = 1e-3, x.size
        Hm = np.zeros((n, n))
        for j in range(n):
            e = np.zeros_like(x)
            e.flat[j] = h
            Hm[:, j] = ((_complex_gradient(f, x + e) - _complex_gradient(f, x - e)) / (2 * h))[0]
        return Hm
    if node.kind == "deriv" and getattr(self.inst, "own_derivatives", False):
        return self.inst.derivative(node.args[0], node.args[1], self)
    return _evaluate_call(self, node)


_ev.Evaluator.__call__ = _call

_big_op = _ev.Evaluator.big_op


def _big_op_over_set(self, node):
    lo, hi, body = node.args
    if lo is not None and lo.kind == "rel" and lo.args[0] == "in" and hi is None:
        var, values = lo.args[1].args[0], self(lo.args[2])  # \sum_{m \in \mathcal B}
        if not isinstance(values, tuple):
            raise EquationError(f"a sum over {lo.args[2]}, which is not a set of indices")
        total = None
        for v in values:
            term = _ev.Evaluator(self.inst, {**self.env, var: v}, self.defs, self.index_letters)
            term.probe = self.probe
            t = term(body)
            total = t if total is None else _ev.add(total, t)
        return total
    return _big_op(self, node)


_ev.Evaluator.big_op = _big_op_over_set

_compare = _ev.compare


def _compare_approx(x, y, rel, rtol, atol):
    rel = "=" if rel == "approx" else rel
    if rel == "=" and isinstance(x, np.ndarray) != isinstance(y, np.ndarray):
        # "= 0" for a vector or matrix: the zero of its shape (only the number 0 reads so)
        if isinstance(y, float | int) and y == 0:
            y = np.zeros_like(x)
        elif isinstance(x, float | int) and x == 0:
            x = np.zeros_like(y)
    return _compare(x, y, rel, rtol, atol)


_ev.compare = _compare_approx

_check_one = _ev._check_one


def _check_one_step(clause, inst, env, defs, letters, rtol, atol):
    if "<-" not in clause.rels:
        return _check_one(clause, inst, env, defs, letters, rtol, atol)
    if not hasattr(inst, "after") or clause.rels[0] != "<-" or set(clause.rels[1:]) - {"="}:
        raise EquationError(f"{clause.text!r}: an assignment needs a context that takes a step")
    ev = _ev.Evaluator(inst, env, defs, letters)
    inst.after = True
    try:
        left = ev(clause.terms[0])
    finally:
        inst.after = False
    for k, term in enumerate(clause.terms[1:], start=1):  # a <- b = c: a after, b and c before
        right = ev(term)
        msg = _compare(left, right, "=", rtol, atol)
        if msg:
            raise EquationError(
                f"{clause.text!r}: {msg} on {inst.describe()} {_ev._env_text(env)}\n"
                f"left side (after the step), {_ev.fmt(left)}\n"
                f"term {k + 1} (before it), {_ev.fmt(right)}"
            )
    return len(clause.terms) - 1


_ev._check_one = _check_one_step


def _name(node):
    return node.args[0] if node is not None and node.kind in ("sym", "word") else None


# --------------------------------------------------------------------------- fd
class PlainInstance:
    """What a context without derivatives of its own answers for a derivative symbol: it is
    refused, so an equation that writes one where none is bound fails instead of passing."""

    def nabla(self, sub, body, ev):
        raise BindingError("no gradients here")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives here")

    def limit_direction(self, var):
        return None


class FdInstance(PlainInstance):
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
class DirectionalInstance(PlainInstance):
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


class SmoothInstance(PlainInstance):
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

            f = Fn(phi, "phi")  # a function of one real variable
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


@functools.cache
def smooth_instances():
    return [SmoothInstance(t, s) for s, t in enumerate([(0.7, -0.4), (-1.1, 0.3), (0.2, 1.5)])]


# --------------------------------------------------------------------------- the bowl
class BowlInstance(PlainInstance):
    """A quadratic bowl C(theta) = 1/2 (theta - theta*)^T H (theta - theta*), a rate eta and
    the iterates of the package's ``descend`` from theta_0 (k = 0 .. L + 1)."""

    binds_max = True

    def __init__(self, lams, angle, rate, seed, L=6):
        from ..explore.descent import descend

        c, s_ = math.cos(angle), math.sin(angle)
        self.Q = np.array([[c, -s_], [s_, c]])
        self.lams = np.array(lams, dtype=float)
        self.H = self.Q @ np.diag(self.lams) @ self.Q.T
        rng = np.random.default_rng(seed)
        self.star = rng.normal(size=(2, 1))
        self.theta0 = self.star + rng.normal(size=(2, 1))
        self.L, self.seed = L, seed
        lmax = self.lams.max()
        self.eta = rate if rate is not None else 0.999 * self.critical_rate()
        self.rate_text = "0.999 x the measured critical rate" if rate is None else f"{rate:g}"
        del lmax
        path = descend(
            lambda th: self.H @ (th - self.star.ravel()), self.theta0.ravel(), self.eta, L + 1
        )
        self.iterates = [p.reshape(-1, 1) for p in path.points]

    def critical_rate(self):
        """The largest rate whose iterates do not grow: bisection on 600 steps of the iteration
        theta <- theta - eta H theta itself (no eigenvalues used)."""

        def grows(eta):
            step = np.eye(2) - eta * self.H
            with np.errstate(all="ignore"):
                x300 = np.linalg.matrix_power(step, 300) @ np.ones(2)
                x600 = np.linalg.matrix_power(step, 300) @ x300
                n300, n600 = np.linalg.norm(x300), np.linalg.norm(x600)
            return not (np.isfinite(n600) and n600 <= n300)

        lo, hi = 0.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if grows(mid) else (mid, hi)
        return lo

    def best_rate(self):
        """The rate with the smallest contraction factor max_i |1 - eta lambda_i|, by a golden
        section search on the measured spectral radius of I - eta H."""
        rho = lambda eta: max(abs(np.linalg.eigvals(np.eye(2) - eta * self.H)))  # noqa: E731
        lo, hi, g = 0.0, 2.0 / self.lams.min(), (math.sqrt(5) - 1) / 2
        while hi - lo > 1e-14:
            a, b = hi - g * (hi - lo), lo + g * (hi - lo)
            lo, hi = (lo, b) if rho(a) < rho(b) else (a, hi)
        return (lo + hi) / 2

    def describe(self):
        return (
            f"bowl with eigenvalues {tuple(self.lams)}, eta = {self.eta:.6g} "
            f"({self.rate_text}), seed {self.seed}"
        )

    def is_power(self, node, ev):
        return _name(node.args[1]) != "ast"

    def C(self, th):
        e = th - self.star
        return 0.5 * (e.T @ self.H @ e)[0, 0]

    def _indices(self, sub, ev, sizes):
        idx = ev.indices(sub)
        if len(idx) != len(sizes):
            raise BindingError(f"{len(idx)} indices for {len(sizes)}")
        out = []
        for node, size in zip(idx, sizes):
            if ev.probe is not None and node.kind == "sym" and node.args[0] in ev.probe:
                if size is not None:
                    ev.probe[node.args[0]].add(size)
            out.append(ev.index(node))
        return out

    def iterate(self, k):
        if not 0 <= k < len(self.iterates):
            raise BindingError(f"iterate {k} was not run")
        return self.iterates[k]

    def resolve(self, name, sup, sub, primes, ev):
        if primes:
            raise BindingError(f"{name}' is not bound")
        if name == "theta" and sub is None:
            if sup is None:
                return self.theta0
            if _name(sup) == "ast":
                return self.star
        if name == "H" and sup is None and sub is None:
            return self.H
        if name == "C" and sup is None and sub is None:
            return Fn(self.C, "C", False, 2)
        if name == "I" and sup is None and sub is None:
            return _ev.Lazy("I")
        if name == "eta" and sub is None:
            if sup is None:
                return self.eta
            if _name(sup) == "ast":
                return self.best_rate()
        if name == "kappa" and sup is None and sub is None:
            return float(np.linalg.cond(self.H))
        if name == "lambda" and sup is None and sub is not None:
            if _name(sub) in ("max", "min"):
                return float(self.lams.max() if _name(sub) == "max" else self.lams.min())
            (i,) = self._indices(sub, ev, [2])
            return float(self.lams[i - 1])
        if name == "e" and sup is None and sub is not None:
            (k,) = self._indices(sub, ev, [None])
            return self.iterate(k) - self.star
        if name == "u" and sup is None and sub is not None:
            k, i = self._indices(sub, ev, [None, 2])
            return float((self.Q.T @ (self.iterate(k) - self.star))[i - 1, 0])
        raise BindingError(f"{name} is not bound in the bowl context")

    def nabla(self, sub, body, ev):
        raise BindingError("write the gradient of C as \\nabla C(\\theta)")

    def derivative(self, num, den, ev):
        raise BindingError("no partial derivatives in the bowl context")


@functools.cache
def bowl_instances():
    return [
        BowlInstance((1.0, 10.0), math.pi / 4, 0.15, seed=90),
        BowlInstance((0.5, 3.0), 0.3, None, seed=91),
        BowlInstance((2.0, 2.5), -1.0, None, seed=92),
    ]


# --------------------------------------------------------------------------- momentum
class MomentumInstance(PlainInstance):
    """Momentum on a constant gradient g: the steps v_k of the package's ``descend``."""

    def __init__(self, eta, mu, seed, L=12):
        from ..explore.descent import descend

        self.g = np.random.default_rng(seed).normal(size=(3, 1))
        self.eta, self.mu, self.L, self.seed = eta, mu, L, seed
        p = descend(lambda th: self.g.ravel(), np.zeros(3), eta, L + 1, momentum=mu)
        self.v = {k: (p.points[k] - p.points[k - 1]).reshape(-1, 1) for k in range(1, L + 2)}

    def describe(self):
        return f"momentum mu = {self.mu}, eta = {self.eta}, constant gradient (seed {self.seed})"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if primes or sup is not None:
            raise BindingError(f"{name} is not bound that way")
        if name == "v" and sub is not None:
            k = ev.index(sub)
            if k not in self.v:
                raise BindingError(f"v_{k} was not run")
            return self.v[k]
        if sub is None and name in ("eta", "mu", "g"):
            return {"eta": self.eta, "mu": self.mu, "g": self.g}[name]
        raise BindingError(f"{name} is not bound in the momentum context")

    def nabla(self, sub, body, ev):
        raise BindingError("no gradients in the momentum context")

    def derivative(self, num, den, ev):
        raise BindingError("no derivatives in the momentum context")


@functools.cache
def momentum_instances():
    return [MomentumInstance(0.1, 0.9, 1), MomentumInstance(0.3, 0.5, 2), MomentumInstance(1, 0, 3)]


# --------------------------------------------------------------------------- epochs
class EpochInstance(PlainInstance):
    """M samples in batches of B: the number of batches ``backprop.train.minibatches`` yields."""

    L = 1

    def __init__(self, M, B):
        from ..train import minibatches

        X = np.arange(M, dtype=float).reshape(-1, 1)
        self.M, self.B = M, B
        self.steps = len(list(minibatches(X, X, B, np.random.default_rng(0))))

    def describe(self):
        return f"M = {self.M}, B = {self.B}"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if not primes and sup is None and sub is None:
            if name == "M":
                return float(self.M)
            if name == "B":
                return float(self.B)
            if " ".join(name.split()) == "steps per epoch":
                return float(self.steps)
        raise BindingError(f"{name} is not bound in the epoch context")


@functools.cache
def epoch_instances():
    return [EpochInstance(M, B) for M, B in ((10, 4), (12, 4), (64, 1), (64, 64), (7, 3))]


# --------------------------------------------------------------------------- one step of fit
class StepInstance(NetworkInstance):
    r"""A network and a batch: the right side of an update at the current parameters, its
    left side after one full-batch epoch of the package's ``Network.fit`` (``after``), with
    weight decay ``l2`` or the L1 soft threshold ``l1`` if given ($\lambda$ is whichever is
    set)."""

    own_derivatives = True

    def __init__(self, sizes, seed, M, eta, l2=0.0, l1=0.0):
        super().__init__(tuple(sizes), "tanh", "sigmoid", seed, M)
        from ..network import Network

        if l2 and l1:
            raise ValueError("one penalty per instance: lambda is either l2 or l1")
        net = Network(list(sizes), hidden="tanh", output="sigmoid", loss="mse")
        for l in range(1, self.L + 1):
            net.weights[l - 1][...] = self.W[l]
            net.biases[l - 1][...] = self.b[l].ravel()
        net.fit(
            self.X, self.Y, epochs=1, batch_size=M, learning_rate=eta, l2=l2, l1=l1, evaluate=False
        )
        self.l2, self.l1 = l2, l1
        self.W_after = {l: net.weights[l - 1].copy() for l in range(1, self.L + 1)}
        self.b_after = {l: net.biases[l - 1].reshape(-1, 1).copy() for l in range(1, self.L + 1)}
        self.eta, self.after = eta, False

    def describe(self):
        decay = f", l2 = {self.l2}" if self.l2 else f", l1 = {self.l1}" if self.l1 else ""
        return super().describe() + f", eta = {self.eta}{decay}, one epoch of fit"

    def _parts(self, W, b):
        return [(W if k == "W" else b)[l] for l in range(1, self.L + 1) for k in ("W", "b")]

    def theta(self, W, b):
        return np.vstack([p.reshape(-1, 1) for p in self._parts(W, b)])

    def cost_of(self, theta):
        theta = np.asarray(theta).reshape(-1)
        W, b, i = {}, {}, 0
        for l in range(1, self.L + 1):
            for store, shape in ((W, self.W[l].shape), (b, self.b[l].shape)):
                n = int(np.prod(shape))
                store[l] = theta[i : i + n].reshape(shape)
                i += n
        A = self.X
        for l in range(1, self.L + 1):
            Z = A @ W[l].T + b[l].T
            A = self.act(l)(Z)
        return 0.5 * ((A - self.Y) ** 2).sum(axis=1).mean()

    def resolve(self, name, sup, sub, primes, ev):
        if not primes and sup is None and sub is None:
            if name == "theta":
                W, b = (self.W_after, self.b_after) if self.after else (self.W, self.b)
                return self.theta(W, b)
            if name == "eta":
                return self.eta
            if name == "lambda":
                return self.l2 or self.l1
            if name == "C":
                return Fn(
                    self.cost_of, "C", False, sum(p.size for p in self._parts(self.W, self.b))
                )
        if name in ("W", "b", "w") and self.after and not primes:
            if name == "w" and (sub is None or len(ev.indices(sub)) != 2):
                raise BindingError("w^l needs two indices, w^l_{jk}")
            l = self.layer(sup, ev, name)
            return self._sub((self.b_after if name == "b" else self.W_after)[l], sub, ev, name)
        return super().resolve(name, sup, sub, primes, ev)


class MinibatchStepInstance(StepInstance):
    """A batch of M examples and a minibatch B of them: the left side of the update after
    the package's ``train.sgd_step`` on that minibatch, the right side before it."""

    def __init__(self, sizes, seed, M, eta, batch):
        super().__init__(sizes, seed, M, eta)
        from ..network import Network
        from ..train import sgd_step

        net = Network(list(sizes), hidden="tanh", output="sigmoid", loss="mse")
        for l in range(1, self.L + 1):
            net.weights[l - 1][...] = self.W[l]
            net.biases[l - 1][...] = self.b[l].ravel()
        rows = [m - 1 for m in batch]
        sgd_step(net, *net.gradients(self.X[rows], self.Y[rows]), learning_rate=eta)
        self.W_after = {l: net.weights[l - 1].copy() for l in range(1, self.L + 1)}
        self.b_after = {l: net.biases[l - 1].reshape(-1, 1).copy() for l in range(1, self.L + 1)}
        self.minibatch = tuple(batch)

    def describe(self):
        return super().describe().replace("one epoch of fit", f"a step on {self.minibatch}")

    def example_cost(self, m):
        def cost(theta):
            X, Y = self.X, self.Y
            try:
                self.X, self.Y = X[m - 1 : m], Y[m - 1 : m]
                return self.cost_of(theta)
            finally:
                self.X, self.Y = X, Y

        return cost

    def resolve(self, name, sup, sub, primes, ev):
        if not primes and sup is None:
            if name == "cal B" and sub is None:
                return self.minibatch
            if name == "B" and sub is None:
                return float(len(self.minibatch))
            if name == "C" and sub is not None:
                n = sum(p.size for p in self._parts(self.W, self.b))
                return Fn(self.example_cost(ev.index(sub)), "C_m", False, n)
        return super().resolve(name, sup, sub, primes, ev)


@functools.cache
def minibatch_step_instances():
    return [
        MinibatchStepInstance((3, 4, 2), 110, 6, 0.5, (2, 5, 6)),
        MinibatchStepInstance((2, 3, 3, 2), 111, 5, 0.3, (4, 1)),
    ]


@functools.cache
def step_instances():
    return [StepInstance((3, 4, 2), 95, 5, 0.7), StepInstance((2, 3, 3, 2), 96, 4, 0.3)]


# --------------------------------------------------------------------------- cost of backprop
class FlopsInstance(PlainInstance):
    """An architecture and a batch: flops counted while a forward and a backward pass run
    (every matrix product adds 2abc), the forward passes the package's central differences
    make, and the bytes the package's forward pass keeps."""

    L = 1

    def __init__(self, sizes, M, dtype=np.float64, seed=0):
        from ..gradcheck import numerical_gradients
        from ..network import Network

        self.sizes, self.M, self.L = tuple(sizes), M, len(sizes) - 1
        rng = np.random.default_rng(seed)
        net = Network(list(sizes), hidden="tanh", output="sigmoid", loss="mse", seed=seed)
        X, Y = rng.normal(size=(M, sizes[0])), rng.random((M, sizes[-1]))
        count = [0]

        def mm(A, B):
            count[0] += 2 * A.shape[0] * A.shape[1] * B.shape[1]
            return A @ B

        A, As = X, [X]
        for l in range(1, self.L + 1):
            Z = mm(A, net.W[l].T) + net.b[l]
            if l == 1:
                self.F1 = count[0]
            A = np.tanh(Z) if l < self.L else 1 / (1 + np.exp(-Z))
            As.append(A)
        self.F_fwd = count[0]
        D, dW = (A - Y) * A * (1 - A) / M, {}
        for l in range(self.L, 0, -1):
            dW[l] = mm(D.T, As[l - 1])
            if l > 1:
                D = mm(D, net.W[l]) * (1 - As[l - 1] ** 2)
        self.F_bwd = count[0] - self.F_fwd
        ref, _ = net.gradients(X, Y)  # the counted pass is a real backward pass
        if not all(np.allclose(dW[l], ref[l - 1], rtol=1e-10, atol=1e-14) for l in dW):
            raise EquationError("the counted backward pass disagrees with the package")
        calls = [0]
        forward = type(net)._forward

        def counted(self_, X_):
            calls[0] += 1
            return forward(self_, X_)

        small = Network([3, 4, 2], seed=seed)  # passes per parameter, counted on a small net
        type(net)._forward = counted
        try:
            numerical_gradients(small, rng.normal(size=(4, 3)), rng.random((4, 2)))
        finally:
            type(net)._forward = forward
        self.fd_calls, self.P_small = calls[0], small.n_parameters
        self.P = net.n_parameters
        netd = Network(list(sizes), hidden="tanh", output="sigmoid", loss="mse", dtype=dtype)
        fp = netd.forward(X.astype(dtype))
        self.B_act = sum(fp.z[l].nbytes + fp.a[l].nbytes for l in range(1, self.L + 1))
        self.B_par = sum(p.nbytes for p in netd.weights + netd.biases)
        self.s = np.dtype(dtype).itemsize
        kept = []  # the bytes a forward pass keeps for 1 and 2 samples: a line in M
        for m in (1, 2):
            f = netd.forward(X[:m].astype(dtype))
            kept.append(sum(f.z[l].nbytes + f.a[l].nbytes for l in range(1, self.L + 1)))
        self.M_star = self.B_par / (kept[1] - kept[0])  # where the line reaches B_par

    def describe(self):
        return f"sizes {'-'.join(map(str, self.sizes))}, M = {self.M}, {self.s * 8}-bit numbers"

    def is_power(self, node, ev):
        return _name(node.args[1]) != "ast"

    def resolve(self, name, sup, sub, primes, ev):
        if name == "M" and _name(sup) == "ast" and sub is None and not primes:
            return float(self.M_star)
        if primes or sup is not None:
            raise BindingError(f"{name} is not bound that way")
        which = _name(sub) if sub is not None and sub.kind in ("sym", "word") else None
        if name == "F" and which in ("fwd", "bwd"):
            return float(self.F_fwd if which == "fwd" else self.F_bwd)
        if name == "F" and sub is not None and sub.kind == "num" and sub.args[0] == 1:
            return float(self.F1)
        if name == "n" and sub is not None:
            l = ev.index(sub)
            if not 0 <= l <= self.L:
                raise BindingError(f"n_{l} does not exist")
            return float(self.sizes[l])
        if name == "B" and which in ("act", "par"):
            return float(self.B_act if which == "act" else self.B_par)
        if name == "T" and which in ("fwd", "FD", "bp"):
            # in flops: one forward pass; central differences on every parameter (the passes
            # counted on a network with P_small parameters, scaled by the flops of one pass
            # of this one); a forward and a backward pass
            if which == "FD":
                return float(self.fd_calls / self.P_small * self.P * self.F_fwd)
            return float(self.F_fwd if which == "fwd" else self.F_fwd + self.F_bwd)
        if sub is None:
            if name == "M":
                return float(self.M)
            if name == "L":
                return float(self.L)
            if name == "P":
                return float(self.P)
            if name == "s":
                return float(self.s)
            if name == "r":  # the closed form, so that the counted ratio is compared with it
                return 3 - self.F1 / self.F_fwd
        raise BindingError(f"{name} is not bound in the flops context")


@functools.cache
def flops_instances():
    return [
        FlopsInstance((7, 6, 5, 4), 9),
        FlopsInstance((16, 16, 16, 16), 8, np.float32),
        FlopsInstance((4, 8, 3), 16),
        FlopsInstance((784, 256, 128, 10), 8, np.float32),
    ]


register_context("flops", flops_instances, "l", "", "flops, passes and bytes, counted")


# --------------------------------------------------------------------------- why gradients
class LeastSquaresInstance(PlainInstance):
    """A linear model [n, 1] with the squared error on M samples: the cost C(beta) is the
    package's ``Network.loss`` at real points and the same sum written out at complex ones (for
    the complex-step gradient); beta* from ``np.linalg.lstsq`` (an SVD, not the normal
    equations)."""

    L = 1

    def __init__(self, M, n, seed):
        from ..network import Network

        rng = np.random.default_rng(seed)
        self.M, self.n, self.seed = M, n, seed
        self.X = rng.normal(size=(M, n)) + rng.normal(size=n)  # not centred
        self.y = rng.normal(size=(M, 1))
        self.Xt = np.hstack([self.X, np.ones((M, 1))])
        self.beta = rng.normal(size=(n + 1, 1))
        self.star = np.linalg.lstsq(self.Xt, self.y, rcond=None)[0]
        self.v = rng.normal(size=(n + 1, 1))
        self.s = 0.7
        self.net = Network([n, 1], output="identity", loss="mse")

    def cost(self, beta):
        beta = np.asarray(beta).reshape(-1, 1)
        if np.iscomplexobj(beta):
            r = self.Xt @ beta - self.y
            return (r * r).sum() / (2 * self.M)
        self.net.weights[0][...] = beta[:-1].T
        self.net.biases[0][...] = beta[-1]
        return float(self.net.loss(self.X, self.y))

    def hessian_point(self):
        return self.beta

    def describe(self):
        return f"linear model, M = {self.M} samples of n = {self.n} features, seed {self.seed}"

    def is_power(self, node, ev):
        return _name(node.args[1]) != "ast"

    def resolve(self, name, sup, sub, primes, ev):
        if primes or sub is not None:
            raise BindingError(f"{name} is not bound that way")
        if name in ("beta", "theta"):
            if sup is None:
                return self.beta
            if _name(sup) == "ast":
                return self.star
        if sup is None:
            values = {"tilde X": self.Xt, "y": self.y, "v": self.v, "s": self.s,
                      "M": float(self.M), "n": float(self.n)}  # fmt: skip
            if name in values:
                return values[name]
            if name == "C":
                return Fn(self.cost, "C", False, self.n + 1)
        raise BindingError(f"{name} is not bound in the least-squares context")

    def nabla(self, sub, body, ev):
        raise BindingError("write the gradient as \\nabla C(\\beta)")

    def derivative(self, num, den, ev):
        raise BindingError("no partial derivatives here")


@functools.cache
def least_squares_instances():
    return [LeastSquaresInstance(8, 2, 100), LeastSquaresInstance(20, 5, 101)]


class SegmentInstance(PlainInstance):
    """The chapter's [1, 2, 1] tanh network theta_A, its swap theta_B, and the cost c(s) of
    (1 - s) theta_A + s theta_B on targets that theta_A fits exactly (complex-capable)."""

    L = 1

    def __init__(self):
        self.WA, self.bA = np.array([[1.0], [-2.0]]), np.array([[0.0], [0.5]])
        self.VA, self.cA = np.array([[1.0, 0.5]]), 0.0
        P = np.array([[0.0, 1.0], [1.0, 0.0]])
        self.WB, self.bB, self.VB = P @ self.WA, P @ self.bA, self.VA @ P
        self.x = np.array([[-1.0, -0.5, 0.0, 0.5, 1.0]])
        self.t = self.out(self.WA, self.bA, self.VA)

    def out(self, W, b, V):
        return V @ np.tanh(W @ self.x + b) + self.cA

    def c(self, s):
        W = (1 - s) * self.WA + s * self.WB
        b = (1 - s) * self.bA + s * self.bB
        V = (1 - s) * self.VA + s * self.VB
        r = self.out(W, b, V) - self.t
        return (0.5 * r * r).mean()

    def describe(self):
        return "the [1, 2, 1] tanh network of the chapter and its swap"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if name == "c" and sup is None and sub is None:
            if primes == 0:
                return Fn(self.c, "c", False)
            if primes == 1:
                return Fn(lambda s: np.imag(self.c(s + 1j * H)) / H, "c'", False)
            if primes == 2:  # central differences of the complex-step derivative
                d = lambda s: np.imag(self.c(s + 1j * H)) / H  # noqa: E731
                return Fn(lambda s: (d(s + 1e-4) - d(s - 1e-4)) / 2e-4, "c''", False)
        raise BindingError(f"{name} is not bound in the segment context")


register_context("least-squares", least_squares_instances, "", "", "a linear model, squared error")
register_context("segment", lambda: [SegmentInstance()], "", "", "a segment between two minima")


# --------------------------------------------------------------------------- rumelhart 1986
class RhwInstance(PlainInstance):
    """The paper's 6-2-1 network on the 64 patterns of the symmetry task, its constants
    epsilon = 0.1 and alpha = 0.9, and the package's eta and mu that reproduce the paper's
    updates, *measured*: eta from one full-batch epoch of fit at rate 1 against the paper's
    step -epsilon * sum_m grad C_m, mu from the second step (linear in the momentum)."""

    L = 1

    def __init__(self, seed):
        import itertools

        from ..network import Network

        X = np.array(list(itertools.product([0.0, 1.0], repeat=6)))
        Y = np.all(X == X[:, ::-1], axis=1).astype(float)[:, None]
        self.M, self.eps, self.alpha, self.seed = len(X), 0.1, 0.9, seed
        net0 = Network([6, 2, 1], hidden="sigmoid", output="sigmoid", loss="mse", seed=seed,
                       init=0.3)  # fmt: skip

        def flat(net):
            return np.concatenate([p.ravel() for p in net.weights + net.biases])

        def grad_E(net):  # the paper's E: the sum over patterns, one pattern at a time
            gs = [net.gradients(X[m : m + 1], Y[m : m + 1]) for m in range(self.M)]
            return sum(np.concatenate([p.ravel() for p in g[0] + g[1]]) for g in gs)

        def after(net, epochs, eta, mu):
            n = net.copy()
            n.fit(X, Y, epochs=epochs, batch_size=self.M, learning_rate=eta, momentum=mu,
                  seed=0, evaluate=False)  # fmt: skip
            return n

        self.gE = grad_E(net0).reshape(1, -1)
        gW, gb = net0.gradients(X, Y)  # the package's gradient of the mean cost
        self.gC = np.concatenate([p.ravel() for p in gW + gb]).reshape(1, -1)
        paper1 = -self.eps * grad_E(net0)
        step1 = flat(after(net0, 1, 1.0, 0.0)) - flat(net0)
        self.eta = float(paper1 @ step1 / (step1 @ step1))
        net1p = net0.copy()
        i = 0
        for p in net1p.weights + net1p.biases:
            p += paper1[i : i + p.size].reshape(p.shape)
            i += p.size
        paper2 = -self.eps * grad_E(net1p) + self.alpha * paper1
        theta1 = flat(after(net0, 1, self.eta, 0.0))
        s0 = flat(after(net0, 2, self.eta, 0.0)) - theta1
        s1 = flat(after(net0, 2, self.eta, 0.5)) - theta1  # fit takes momentum in [0, 1)
        d = (s1 - s0) / 0.5
        self.mu = float((paper2 - s0) @ d / (d @ d))

    def describe(self):
        return f"the 6-2-1 network on the 64 patterns, seed {self.seed}"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if not primes and sup is None and sub is None:
            values = {"eta": self.eta, "mu": self.mu, "M": float(self.M),
                      "epsilon": self.eps, "alpha": self.alpha}  # fmt: skip
            if name in values:
                return values[name]
        raise BindingError(f"{name} is not bound in the rhw context")

    def nabla(self, sub, body, ev):
        if _name(sub) == "theta" and _name(body) in ("E", "C"):
            return self.gE if _name(body) == "E" else self.gC
        raise BindingError("only nabla_theta E and nabla_theta C are bound")


class MirrorInstance(PlainInstance):
    """A hidden unit with mirror weights w_{7-i} = -w_i and a 0/1 input pattern; z from the
    package's forward pass."""

    L = 1

    def __init__(self, seed):
        from ..network import Network

        rng = np.random.default_rng(seed)
        half = rng.normal(size=3)
        self.w = np.concatenate([half, -half[::-1]])
        self.b = float(rng.normal())
        self.x = rng.integers(0, 2, size=6).astype(float)
        net = Network([6, 1], output="identity", loss="mse")
        net.weights[0][...] = self.w
        net.biases[0][...] = self.b
        self.z = float(net.forward(self.x[None, :]).z[1][0, 0])
        self.seed = seed

    def describe(self):
        return f"mirror weights and the pattern {self.x.astype(int).tolist()} (seed {self.seed})"

    def is_power(self, node, ev):
        return True

    def resolve(self, name, sup, sub, primes, ev):
        if primes or sup is not None:
            raise BindingError(f"{name} is not bound that way")
        if name in ("w", "x") and sub is not None:
            i = ev.index(sub)
            if not 1 <= i <= 6:
                raise BindingError(f"{name}_{i} does not exist")
            return float((self.w if name == "w" else self.x)[i - 1])
        if name in ("b", "z") and sub is None:
            return self.b if name == "b" else self.z
        raise BindingError(f"{name} is not bound in the mirror context")


register_context("rhw", functools.cache(lambda: [RhwInstance(0), RhwInstance(3)]), "", "", "")
register_context("mirror", functools.cache(lambda: [MirrorInstance(s) for s in range(8)]), "", "")


register_context("fd", fd_instances, "", "", "smooth functions, a point, a step, both signs")
register_context("directional", directional_instances, "", "", "a network's cost of all theta")
register_context("smooth", smooth_instances, "", "", "a smooth cost of two parameters")
register_context("bowl", bowl_instances, "k", "i", "a quadratic bowl and descend's iterates")
register_context("momentum", momentum_instances, "k", "", "momentum on a constant gradient")
register_context("epoch", epoch_instances, "", "", "samples in minibatches")
register_context("step", step_instances, "l", "ijk", "one full-batch epoch of fit")
register_context("minibatch-step", minibatch_step_instances, "l", "ijk", "one minibatch step")


@functools.cache
def step_l2_instances():
    return [StepInstance((3, 4, 2), 97, 5, 0.5, l2=0.1), StepInstance((2, 3, 3), 98, 4, 0.3, 0.05)]


register_context("step-l2", step_l2_instances, "l", "ijk", "one epoch of fit with weight decay")


@functools.cache
def step_l1_instances():
    """Thresholds eta * l1 of 0.2 and 0.3: in every layer of both networks some weights stop
    at exactly 0 and some keep their sign, so both branches of the soft threshold are
    compared."""
    return [
        StepInstance((3, 4, 2), 99, 5, 0.5, l1=0.4),
        StepInstance((2, 3, 3), 100, 4, 0.3, l1=1.0),
    ]


register_context("step-l1", step_l1_instances, "l", "ijk", "one epoch of fit with the L1 threshold")
