r"""Contexts of the derivatives chapter: concrete functions instead of networks.

``scalar-function``
    $f\colon\R\to\R$ (three analytic functions) at two points $a$; $f'$ by complex step.
``vector-function``
    $f\colon\R^n\to\R^m$ and $g\colon\R^m\to\R^p$ (the chapter's own pair
    $f(x) = (x_1x_2 + \sin x_3,\ e^{x_1}x_3^2)$, $g(u) = (u_1^2u_2,\ u_1 + \cos u_2)$ at
    $a = (1/2, -1, 1/3)$, and a second pair with $m = 3$), ``m``, ``n``, ``p``; a vector
    $h \to 0$ approaches along a fixed random direction.
``field``
    $f\colon\R^n\to\R$ at a point $x$, ``n``.
``activation``
    $a = \sigma(z)$ entrywise (tanh and the sigmoid), columns ``z``, ``a``, ``v``, ``y`` and a
    row ``u``; $\partial a/\partial z$ by complex step.

Jacobians $Df_a$, partial derivatives and gradients of these functions are computed by the
evaluator itself (complex step on the function), never from a hand-written formula.
"""

from __future__ import annotations

import numpy as np

from .contexts import ACTIVATIONS, register_context
from .evaluate import BindingError, Fn, Lazy, jacobian_at


class FunctionInstance:
    """A table of named values (functions, columns, numbers) and limit directions."""

    L = 1

    def __init__(self, about: str, values: dict, directions: dict | None = None):
        self.about, self.values, self.directions = about, values, directions or {}

    def describe(self) -> str:
        return self.about

    def is_power(self, node, ev) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        return not isinstance(self.values.get(base.args[0]), Fn)

    def resolve(self, name, sup, sub, primes, ev):
        if name == "e" and sub is not None:
            return Lazy("e", ev.index(sub))
        if name == "I":
            return Lazy("I")
        if name not in self.values:
            raise BindingError(f"{name} is not bound in this context ({self.about})")
        if sup is not None:
            raise BindingError(f"{name}^{{...}} is not bound")
        v = self.values[name]
        if primes:
            if not isinstance(v, Fn):
                raise BindingError(f"{name}' of a value")
            for _ in range(primes):
                v = v.derivative()
        return v if sub is None else ev.entry(v, sub, name)

    def derivative(self, num, den, ev):
        if num.kind == "sym" and den.kind == "sym" and (num.args[0], den.args[0]) == ("a", "z"):
            sigma = self.values["sigma"]
            return jacobian_at(Fn(sigma.f, "sigma", False, None), self.values["z"])
        raise BindingError(f"no derivative of {num} by {den} in this context")

    def nabla(self, sub, body, ev):
        raise BindingError("\\nabla_{v} is not bound in this context")

    def limit_direction(self, var):
        return self.directions.get(var)


def _fn(f, name, dim=None, out=None, elementwise=False):
    return Fn(f, name, elementwise, dim, out)


def _col(*v):
    return np.array(v, dtype=float).reshape(-1, 1)


def _c(v, i):
    return v.reshape(-1)[i - 1]


def scalar_functions():
    fs = [
        (lambda t: np.sin(t) * np.exp(t), "sin(t) e^t"),
        (lambda t: np.tanh(t) + t**3, "tanh(t) + t^3"),
        (lambda t: 1 / (1 + np.exp(-3 * t)), "sigmoid(3t)"),
    ]
    return [
        FunctionInstance(f"f(t) = {name} at a = {a}", {"f": _fn(f, "f", elementwise=True), "a": a})
        for f, name in fs
        for a in (0.4, -1.1)
    ]


def _stack(*parts):
    return np.array(parts).reshape(-1, 1)


def vector_functions():
    rng = np.random.default_rng(5)
    f1 = _fn(
        lambda x: _stack(_c(x, 1) * _c(x, 2) + np.sin(_c(x, 3)), np.exp(_c(x, 1)) * _c(x, 3) ** 2),
        "f",
        3,
        2,
    )
    g1 = _fn(lambda u: _stack(_c(u, 1) ** 2 * _c(u, 2), _c(u, 1) + np.cos(_c(u, 2))), "g", 2, 2)
    f2 = _fn(
        lambda x: _stack(np.tanh(_c(x, 1) - _c(x, 3)), _c(x, 2) * _c(x, 3), np.sin(_c(x, 1))),
        "f",
        3,
        3,
    )
    g2 = _fn(lambda u: _stack(_c(u, 1) * _c(u, 2) + _c(u, 3), np.exp(_c(u, 2))), "g", 3, 2)
    for fn in (f1, f2):
        fn.arg = "x"  # the chapter writes f(x) and g(u), u = f(x): the variables' names count
    for fn in (g1, g2):
        fn.arg = "u"
    out = []
    for f, g, a, about in (
        (f1, g1, _col(0.5, -1, 1 / 3), "the chapter's f: R^3 -> R^2, g: R^2 -> R^2 at a"),
        (f2, g2, rng.normal(size=(3, 1)), "f: R^3 -> R^3, g: R^3 -> R^2 at a random point"),
    ):
        u = rng.normal(size=(3, 1))
        out.append(
            FunctionInstance(
                about,
                {
                    "f": f,
                    "g": g,
                    "a": a,
                    "x": rng.normal(size=(3, 1)),  # a point other than a: f(x) is not f(a)
                    "n": float(f.dim),
                    "m": float(f.out),
                    "p": float(g.out),
                },
                {"h": u / np.linalg.norm(u)},
            )
        )
    return out


def scalar_fields():
    rng = np.random.default_rng(6)
    fs = [
        (lambda x: _c(x, 1) * _c(x, 2) + np.sin(_c(x, 3)), "x1 x2 + sin x3"),
        (lambda x: np.exp(_c(x, 1)) * _c(x, 3) ** 2 - _c(x, 2), "e^x1 x3^2 - x2"),
    ]
    return [
        FunctionInstance(
            f"f(x) = {name} at a random x in R^3",
            {"f": Fn(f, "f", False, 3, None, "x"), "x": rng.normal(size=(3, 1)), "n": 3.0},
        )
        for f, name in fs
    ]


def activations():
    rng = np.random.default_rng(7)
    out = []
    for name in ("tanh", "sigmoid"):
        z = rng.normal(size=(4, 1))
        sigma = ACTIVATIONS[name]
        out.append(
            FunctionInstance(
                f"a = {name}(z), z in R^4",
                {
                    "sigma": Fn(sigma, "sigma"),
                    "z": z,
                    "a": sigma(z),
                    "v": rng.normal(size=(4, 1)),
                    "u": rng.normal(size=(1, 4)),
                    "y": rng.uniform(size=(4, 1)),
                },
            )
        )
    return out


register_context("scalar-function", scalar_functions, "", "", "f: R -> R at a point")
register_context("vector-function", vector_functions, "", "ijk", "f: R^n -> R^m, g: R^m -> R^p")
register_context("field", scalar_fields, "", "ijk", "f: R^n -> R at a point")
register_context("activation", activations, "", "ijk", "a = sigma(z) entrywise")
