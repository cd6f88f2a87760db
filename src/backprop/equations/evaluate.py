r"""Evaluate parsed displays on the concrete values a binding table supplies.

Values are NumPy float64 arrays (vectors are 2-D columns ``(n, 1)`` or rows ``(1, n)``, as in
the book), Python floats for scalars, :class:`Fn` for functions (an activation, $\sigma'$, a
function of the derivatives chapter), and :class:`Lazy` for $e_j$ and $I$, whose size is taken
from the matrix they meet. Nothing broadcasts: a Hadamard product or a sum of two different
shapes, or a product whose inner sizes differ, is an error, so that a dropped transpose fails
on shape wherever the layers are not square.

Juxtaposition is the matrix product (or scaling when one side is a scalar or $1\times1$);
``\odot`` the Hadamard product; a ``\dots`` inside a product is expanded from the pattern of
the factors around it (``D^L W^L D^{L-1} \cdots W^{l+1} D^l``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .latex import Clause, Node, ParseError, Range

__all__ = ["EquationError", "Fn", "Lazy", "check_clauses", "fmt"]


class EquationError(AssertionError):
    """An equation does not hold (or cannot be evaluated) on a concrete instance."""


class BindingError(EquationError):
    """A symbol has no value in the binding table (or its index is out of range)."""


@dataclass
class Fn:
    """A function of the book: ``f`` maps an array entrywise (or as a whole when
    ``elementwise`` is false); ``name`` is used in messages."""

    f: object
    name: str
    elementwise: bool = True
    dim: int | None = None  # the size of the input column, when the function has one
    out: int | None = None  # the size of the output column
    arg: str | None = None  # the name of its variable (x for f, u for g), when it has one

    def __call__(self, *args):
        return self.f(*args)

    def derivative(self) -> Fn:
        if not self.elementwise:
            raise BindingError(f"{self.name}' is not an entrywise function")
        f = self.f
        return Fn(lambda z: complex_step(f, z), self.name + "'")


def complex_step(f, z, h: float = 1e-30):
    """Entrywise derivative of an analytic ``f`` at real ``z``: Im f(z + ih) / h, exact to
    rounding (no subtractive cancellation, unlike a finite difference)."""
    z = np.asarray(z, dtype=np.float64)
    return np.imag(f(z + 1j * h)) / h


def _two(name: str, f):
    def fn(*args):
        if len(args) != 2:
            raise EquationError(f"\\{name}(a, b) takes two arguments, got {len(args)}")
        a, b = args
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
            raise EquationError(f"\\{name} of {fmt(a)} and {fmt(b)}: different shapes")
        return f(a, b)

    return fn


ENTRYWISE = {
    "sign": Fn(np.sign, "sign"),
    "max": Fn(_two("max", np.maximum), "max", False),
    "min": Fn(_two("min", np.minimum), "min", False),
}
r"""Functions every context knows, applied entry by entry: ``\operatorname{sign}(x)`` and
``\max(a, b)``, ``\min(a, b)`` of two arrays of one shape or an array and a number (the
soft threshold of L1 regularisation is written with them). A subscripted ``\max_j`` is not
one of them: it is left to the context."""


@dataclass
class Lazy:
    """$e_j$ (``kind="e"``, 1-based ``index``) or $I$ whose size comes from its neighbour."""

    kind: str
    index: int = 0
    scale: float = 1.0

    def make(self, n: int) -> np.ndarray:
        if self.kind == "I":
            return self.scale * np.eye(n)
        if not 1 <= self.index <= n:
            raise BindingError(f"e_{self.index} does not exist in R^{n}")
        e = np.zeros((n, 1))
        e[self.index - 1, 0] = self.scale
        return e


def fmt(v) -> str:
    """A value for an error message: its shape and its numbers."""
    if isinstance(v, np.ndarray):
        body = np.array2string(v, precision=6, suppress_small=False, max_line_width=90)
        return f"shape {v.shape}:\n{body}"
    if isinstance(v, Lazy):
        return f"{'e_' + str(v.index) if v.kind == 'e' else 'I'} (size from context)"
    return repr(v)


def _is_scalar(v) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer)) or (
        isinstance(v, np.ndarray) and v.ndim == 0
    )


def _as_scalar_if_1x1(v):
    if isinstance(v, np.ndarray) and v.shape == (1, 1):
        return float(v[0, 0])
    return v


# --------------------------------------------------------------------------- arithmetic


def mul(a, b):
    if isinstance(a, Lazy) and isinstance(b, Lazy):
        if a.kind == "I":
            return Lazy(b.kind, b.index, a.scale * b.scale)
        if b.kind == "I":
            return Lazy(a.kind, a.index, a.scale * b.scale)
        raise EquationError("e_j e_k: the product of two unit columns is not defined")
    if isinstance(b, Lazy):
        if _is_scalar(a):
            return Lazy(b.kind, b.index, b.scale * float(a))
        return a @ b.make(a.shape[1]) if b.kind == "e" else a * b.scale
    if isinstance(a, Lazy):
        if _is_scalar(b):
            return Lazy(a.kind, a.index, a.scale * float(b))
        if a.kind == "I":
            return a.scale * b
        raise EquationError(f"e_{a.index} times an array of shape {b.shape}")
    if _is_scalar(a) or _is_scalar(b):
        return a * b
    if a.shape[1] == b.shape[0]:
        return a @ b
    if a.shape == (1, 1) or b.shape == (1, 1):
        return a * b
    raise EquationError(f"cannot multiply shape {a.shape} by shape {b.shape}")


def _same_shape(a, b, what: str):
    if isinstance(a, Lazy):
        a = _materialize(a, b)
    if isinstance(b, Lazy):
        b = _materialize(b, a)
    a, b = _as_scalar_if_1x1(a), _as_scalar_if_1x1(b)
    sa = None if _is_scalar(a) else a.shape
    sb = None if _is_scalar(b) else b.shape
    if sa != sb:
        raise EquationError(f"{what} of shapes {sa or 'scalar'} and {sb or 'scalar'}")
    return a, b


def _materialize(lazy: Lazy, other):
    if isinstance(other, Lazy) or _is_scalar(other):
        raise EquationError(f"cannot size {fmt(lazy)} against {fmt(other)}")
    if lazy.kind == "I":
        return lazy.make(other.shape[0])
    return lazy.make(other.shape[0])


def had(a, b):
    if isinstance(a, (Fn,)) or isinstance(b, Fn):
        raise EquationError("a Hadamard product with a function")
    if _is_scalar(a) or _is_scalar(b):
        raise EquationError("a Hadamard product with a scalar")
    if a.shape != b.shape:
        raise EquationError(f"Hadamard product of shapes {a.shape} and {b.shape}")
    return a * b


def add(a, b, sign=1.0):
    a, b = _same_shape(a, b, "sum")
    return a + sign * b


# --------------------------------------------------------------------------- evaluation


class Evaluator:
    """Evaluate nodes against one instance (a concrete network, or a set of functions).

    ``inst`` supplies ``resolve(name, sup, sub, primes, ev)`` for symbols and
    ``derivative(num, den, ev)`` for ``\\frac{\\partial ...}{\\partial ...}``;
    ``env`` holds the current values of the index letters; ``defs`` the chapter-local
    definitions from the annotation (``where D^l := ...``)."""

    def __init__(self, inst, env: dict, defs: dict, index_letters: str):
        self.inst = inst
        self.env = dict(env)
        self.defs = defs
        self.index_letters = index_letters
        self.probe: dict | None = None  # letter -> set of sizes it indexes, while probing

    # index values -----------------------------------------------------------
    def index(self, node: Node) -> int:
        v = self(node)
        v = _as_scalar_if_1x1(v)
        if not _is_scalar(v) or float(v) != int(float(v)):
            raise EquationError(f"index {node} is not an integer ({fmt(v)})")
        return int(float(v))

    def indices(self, node: Node) -> list[Node]:
        """The index nodes of a subscript: ``jk`` -> [j, k]; ``i,j`` -> [i, j]."""
        if node.kind == "tuple":
            return list(node.args)
        if node.kind == "mul" and all(_flat_syms(node)):
            return _flat_syms(node)
        return [node]

    def entry(self, value, sub: Node, name: str):
        """Entry (1-based) of ``value`` selected by the subscript ``sub``."""
        idx = self.indices(sub)
        if isinstance(value, Fn) and len(idx) == 1:  # f_i: component i of f
            f = value
            size = f.out if f.out is not None else None
            i = self.index_of(idx[0], size)
            return Fn(lambda v: _component(f(v), i), f"{f.name}_{i}", False, f.dim, None, f.arg)
        if isinstance(value, np.ndarray) and value.ndim == 2 and len(idx) == 1:
            if value.shape[1] == 1:
                idx = [idx[0], Node("num", (1,))]
            elif value.shape[0] == 1:
                idx = [Node("num", (1,)), idx[0]]
        if not isinstance(value, np.ndarray) or value.ndim != len(idx):
            raise EquationError(f"{name}_{{...}}: {len(idx)} indices into {fmt(value)}")
        out = []
        for axis, node in enumerate(idx):
            size = value.shape[axis]
            if node.kind == "colon":
                out.append(slice(None))
                continue
            if self.probe is not None and node.kind == "sym" and node.args[0] in self.probe:
                self.probe[node.args[0]].add(size)
            i = self.index(node)
            if not 1 <= i <= size:
                raise BindingError(f"{name}: index {i} out of range 1..{size}")
            out.append(i - 1)
        res = value[tuple(out)]
        if isinstance(res, np.ndarray) and res.ndim == 1:
            res = res.reshape(-1, 1)  # W_{:,j} is a column
        return float(res) if not isinstance(res, np.ndarray) else res

    # symbols ----------------------------------------------------------------
    def symbol(self, node: Node):
        """A symbol with its superscripts, subscripts and primes, as the table binds it."""
        primes, sup, sub, base = 0, None, None, node
        trail = []
        while base.kind in ("prime", "sup", "sub"):
            trail.append(base)
            base = base.args[0]
        trail.reverse()
        for t in trail:  # innermost first: W^l_{jk}' ...
            if t.kind == "prime":
                primes += 1
            elif t.kind == "sup" and sup is None and sub is None and primes == 0:
                sup = t.args[1]
            elif t.kind == "sub" and sub is None and primes == 0:
                sub = t.args[1]
            else:
                raise ParseError(f"cannot read {node}")
        name = base.args[0]
        if name in self.env and sup is None and sub is None and not primes:
            return self.env[name]
        if name in self.defs:
            return self.local(name, sup, sub, primes)
        if name in ENTRYWISE and sup is None and sub is None and not primes:
            return ENTRYWISE[name]
        return self.inst.resolve(name, sup, sub, primes, self)

    def local(self, name, sup, sub, primes):
        params, body = self.defs[name]
        if params[0] == "call":  # where n(x) := ...: a function
            var = params[1]
            defs, inst, env, letters = self.defs, self.inst, dict(self.env), self.index_letters

            def fn(v):
                return Evaluator(inst, {**env, var: v}, defs, letters)(body)

            f = Fn(fn, name, False, None)
            for _ in range(primes):
                f = f.derivative()
            return f
        sup_p, sub_p = params
        if primes or (sup is None) != (sup_p is None) or (sub is None) != (sub_p is None):
            raise BindingError(f"{name} is used differently from its definition")
        env = dict(self.env)
        if sup_p:
            env[sup_p] = self.index(sup)
        if sub_p:  # one letter per index: "m", or "jk" for an entry
            idx = self.indices(sub)
            if len(idx) != len(sub_p):
                raise BindingError(f"{name}_{{{sub_p}}} needs {len(sub_p)} indices")
            env.update({letter: self.index(i) for letter, i in zip(sub_p, idx)})
        inner = Evaluator(self.inst, env, self.defs, self.index_letters)
        inner.probe = self.probe
        return inner(body)

    # nodes ------------------------------------------------------------------
    def __call__(self, node: Node):
        k, a = node.kind, node.args
        if k == "num":
            return float(a[0])
        if k in ("sym", "prime") or (k in ("sup", "sub") and _sym_based(node)):
            if k == "sup" and a[1].kind == "T":
                return transpose(self(a[0]))
            if k == "sup" and _sym_based(a[0]) and self._is_power(node):
                return power(self(a[0]), self(a[1]))
            return self.symbol(node)
        if k == "paren":
            return self(a[0])
        if k == "neg":
            v = self(a[0])
            return Lazy(v.kind, v.index, -v.scale) if isinstance(v, Lazy) else -v
        if k == "add":
            return add(self(a[0]), self(a[1]))
        if k == "minus":
            return add(self(a[0]), self(a[1]), -1.0)
        if k == "sub":
            return self.entry(self(a[0]), a[1], "(...)")
        if k == "sup":
            base = self(a[0])
            if a[1].kind == "T":
                return transpose(base)
            return power(base, self(a[1]))
        if k == "mul" or k == "dots":
            return self.product(node)
        if k == "had":
            return had(self(a[0]), self(a[1]))
        if k == "compose":
            return self.compose(node)
        if k == "smul":
            return mul(self(a[0]), self(a[1]))
        if k in ("div", "frac"):
            num, den = self(a[0]), _as_scalar_if_1x1(self(a[1]))
            if not _is_scalar(den):
                raise EquationError(f"division by {fmt(den)}")
            if float(den) == 0.0:
                raise EquationError("division by zero")
            return mul(num, 1.0 / float(den))
        if k == "iverson":
            return 1.0 if self.relation(a[0]) else 0.0
        if k == "abs":
            v = self(a[0])
            return abs(v) if _is_scalar(v) else np.abs(v)
        if k == "norm":
            v = _as_scalar_if_1x1(self(a[0]))
            if _is_scalar(v):
                return abs(float(v))
            if 1 in v.shape:  # sqrt(sum v^2): the norm, and analytic for the complex step
                return np.sqrt(np.sum(v * v))
            raise EquationError("the norm of a matrix needs _2 or _F")
        if k == "sqrt":
            return math.sqrt(self(a[0]))
        if k == "diag":
            v = self(a[0])
            if not isinstance(v, np.ndarray) or 1 not in v.shape:
                raise EquationError(f"diag of {fmt(v)}")
            return np.diag(v.ravel())
        if k == "call":
            return self.call(node)
        if k == "deriv":
            return self.derivative(a[0], a[1])
        if k == "nabla":
            return self.nabla(a[0], a[1])
        if k == "jac":
            return self.jacobian(a[0], a[1])
        if k == "build":
            return self.build(a[0], a[1])
        if k == "matrix":
            return self.matrix(a[0])
        if k in ("sum", "prod"):
            return self.big_op(node)
        if k == "lim":
            return self.limit(node)
        if k == "pm":
            raise EquationError("\\pm cannot be evaluated")
        raise ParseError(f"cannot evaluate {k}")

    # derivatives of functions (the derivatives chapter) --------------------------------
    def function_of(self, node: Node):
        """The :class:`Fn` that ``node`` denotes, or None (then it names a quantity)."""
        try:
            v = self(node)
        except (EquationError, ParseError):
            return None
        return v if isinstance(v, Fn) else None

    def derivative(self, num: Node, den: Node):
        f = self.function_of(num)
        if f is not None:  # \frac{\partial f}{\partial x_i}: a function again
            if den.kind == "sub" and den.args[0].kind == "sym":
                if f.arg is not None and den.args[0].args[0] != f.arg:
                    raise EquationError(
                        f"{f.name} is a function of {f.arg}, not of {den.args[0].args[0]}"
                    )
                k = self.index_of(den.args[1], f.dim)
                return Fn(lambda v: partial(f, v, k), f"d{f.name}/dx_{k}", False, f.dim)
            if den.kind == "sym":
                return f.derivative()
            raise EquationError(f"cannot differentiate {f.name} by {den}")
        if num.kind == "sym" and num.args[0] in self.defs and den.kind == "sym":
            return self.def_gradient(num, den, row=False)
        return self.inst.derivative(num, den, self)

    def index_of(self, node: Node, size):
        if self.probe is not None and node.kind == "sym" and node.args[0] in self.probe:
            if size is not None:
                self.probe[node.args[0]].add(size)
        k = self.index(node)
        if size is not None and not 1 <= k <= size:
            raise BindingError(f"index {k} out of range 1..{size}")
        return k

    def nabla(self, sub, body: Node):
        if sub is None:  # \nabla f(x): the gradient row of f at x
            if body.kind != "call" or len(body.args[1]) != 1:
                raise EquationError("\\nabla f(x) needs a function applied to a point")
            f, x = self(body.args[0]), self(body.args[1][0])
            if not isinstance(f, Fn):
                raise EquationError(f"\\nabla of {fmt(f)}")
            J = jacobian_at(f, x)
            if J.shape[0] != 1:
                raise EquationError("\\nabla of a vector-valued function")
            return J
        if body.kind == "sym" and body.args[0] in self.defs and sub.kind == "sym":
            return self.def_gradient(body, sub, row=True)
        return self.inst.nabla(sub, body, self)

    def def_gradient(self, body: Node, var: Node, row: bool):
        """Gradient of a locally defined scalar (``where C := ...``) by the plain variable
        ``var``, by complex step on the variable's value."""
        x = self(var)
        if not isinstance(x, np.ndarray):
            x = np.array([[float(x)]])
        out = np.zeros(x.shape)
        for idx in np.ndindex(*x.shape):
            P = x.astype(complex)
            P[idx] += 1j * 1e-30
            inner = Evaluator(
                self.inst, {**self.env, var.args[0]: P}, self.defs, self.index_letters
            )
            out[idx] = np.imag(complex(_as_scalar_if_1x1(inner(body)))) / 1e-30
        if row and out.shape[1] == 1:
            return out.T
        return out

    def jacobian(self, fnode: Node, point: Node):
        f = self(fnode)
        if not isinstance(f, Fn):
            raise EquationError(f"D of {fmt(f)}, which is not a function")
        return jacobian_at(f, self(point))

    def build(self, body: Node, letters: tuple):
        """``\\left( e_{ij} \\right)_{i,j}``: the matrix with entries e_{ij}."""
        names = [n.args[0] for n in letters]
        probe = Evaluator(
            self.inst, {**self.env, **dict.fromkeys(names, 1)}, self.defs, self.index_letters
        )
        probe.probe = {n: set() for n in names}
        try:
            probe(body)
        except (EquationError, ParseError):
            pass
        sizes = []
        for n in names:
            if len(probe.probe[n]) != 1:
                raise EquationError(
                    f"cannot tell how far {n} runs in ( ... )_{{{','.join(names)}}}"
                )
            sizes.append(probe.probe[n].pop())
        out = np.zeros(sizes + [1] * (2 - len(sizes)))
        for idx in np.ndindex(*sizes):
            inner = Evaluator(
                self.inst,
                {**self.env, **{n: i + 1 for n, i in zip(names, idx)}},
                self.defs,
                self.index_letters,
            )
            v = _as_scalar_if_1x1(inner(body))
            if not _is_scalar(v):
                raise EquationError(f"entry {idx} of ( ... )_{{i,j}} is {fmt(v)}")
            out[idx + (0,) * (2 - len(sizes))] = float(np.real(v))
        return out

    def matrix(self, rows: tuple):
        """``\\begin{pmatrix} ... \\end{pmatrix}``, ``\\cdots`` between two cells
        that differ in one index."""
        vals = []
        for row in rows:
            cells = list(row)
            if any(c.kind == "dotsatom" for c in cells):
                cells = self.expand_cells(cells)
            vals.append([self(c) for c in cells])
        blocks = [[np.atleast_2d(np.asarray(v, dtype=float)) for v in r] for r in vals]
        return np.block(blocks)

    def expand_cells(self, cells: list) -> list:
        i = next(k for k, c in enumerate(cells) if c.kind == "dotsatom")
        if i == 0 or i == len(cells) - 1:
            raise EquationError("\\cdots needs a cell on each side")
        first, last = cells[i - 1], cells[i + 1]
        diff = _differ(first, last)
        if diff is None:
            raise EquationError("the cells around \\cdots differ in more than one index")
        start, stop = self.index(diff[0]), self.index(diff[1])
        made = [_replace(first, diff[0], Node("num", (k,))) for k in range(start, stop + 1)]
        return cells[: i - 1] + made + cells[i + 2 :]

    def _is_power(self, node: Node) -> bool:
        base = node.args[0]
        while base.kind in ("sub", "prime"):
            base = base.args[0]
        if base.kind == "sym" and base.args[0] in self.defs:
            return self.defs[base.args[0]][0][0] is None
        return self.inst.is_power(node, self)

    def call(self, node: Node):
        head, args = node.args
        f = self(head)
        vals = [self(x) for x in args]
        if isinstance(f, Fn):
            return f(*vals)
        if len(vals) != 1:
            raise EquationError(f"{head} is not a function")
        return mul(f, vals[0])

    def relation(self, node: Node) -> bool:
        if node.kind != "rel":
            raise EquationError(f"[{node}] is not a relation")
        op, lhs, rhs = node.args
        x, y = _as_scalar_if_1x1(self(lhs)), _as_scalar_if_1x1(self(rhs))
        return {"=": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]

    def big_op(self, node: Node):
        lo, hi, body = node.args
        if lo is None or lo.kind != "rel" or lo.args[1].kind != "sym":
            raise EquationError("a sum needs its index written as _{k=1}^{n}")
        var = lo.args[1].args[0]
        start, stop = self.index(lo.args[2]), self.index(hi)
        total = None
        for v in range(start, stop + 1):
            inner = Evaluator(self.inst, {**self.env, var: v}, self.defs, self.index_letters)
            inner.probe = self.probe
            term = inner(body)
            if total is None:
                total = term
            elif node.kind == "sum":
                total = add(total, term)
            else:
                total = mul(total, term)
        if total is None:
            return 0.0 if node.kind == "sum" else 1.0
        return total

    def limit(self, node: Node):
        sub, body = node.args
        if sub.kind != "rel" or sub.args[0] != "->" or sub.args[1].kind != "sym":
            raise EquationError("a limit needs _{h \\to 0}")
        var = sub.args[1].args[0]
        target = self(sub.args[2])
        direction = self.inst.limit_direction(var)
        values = []
        for t in (1e-3, 5e-4):
            if direction is None:
                value = target + t
            elif _is_scalar(target) and float(target) == 0.0:  # h -> 0 for a vector h
                value = t * direction
            else:
                value = add(target, t * direction)
            inner = Evaluator(self.inst, {**self.env, var: value}, self.defs, self.index_letters)
            values.append(inner(body))
        # Richardson: the error of a difference quotient is first order in the step
        return add(mul(values[1], 2.0), values[0], -1.0)

    # products with \dots --------------------------------------------------------
    def product(self, node: Node):
        factors = _flatten(node)
        if any(f is _DOTS for f in factors):
            factors = self.expand_dots(factors)
        val, i = None, 0
        while i < len(factors):
            v = self(factors[i])
            while isinstance(v, Fn) and i + 1 < len(factors):  # f(x) g(y): apply first
                i += 1
                v = v(self(factors[i]))
            val = v if val is None else mul(val, v)
            i += 1
        return val

    def apply_or_mul(self, val, f: Node):
        arg = self(f)
        if isinstance(val, Fn):  # \frac{\partial f}{\partial x_i}(x): applied, not multiplied
            return val(arg)
        return mul(val, arg)

    def expand_dots(self, factors: list) -> list:
        i = factors.index(_DOTS)
        head, tail = factors[:i], factors[i + 1 :]
        keyed = [self.layer_key(f) for f in head]
        for s in range(len(head)):
            for p in range(1, len(head) - s):
                seq = keyed[s:]
                if len(seq) < p + 1 or any(k is None for k in seq):
                    continue
                if all(
                    seq[q + p][0] == seq[q][0] and seq[q + p][1] == seq[q][1] - 1
                    for q in range(len(seq) - p)
                ):
                    return head[:s] + self._unroll(head[s : s + p], keyed[s : s + p], tail)
        if head and tail:  # one factor on each side: f_L \\circ \\cdots \\circ f_1
            k0, k1 = self.layer_key(head[-1]), self.layer_key(tail[0])
            if k0 and k1 and k0[0] == k1[0]:
                return head[:-1] + self._unroll([head[-1]], [k0], tail)
        raise EquationError("cannot read the pattern around \\cdots")

    def _unroll(self, period: list, keys: list, tail: list) -> list:
        tail_keys = []
        for f in tail:
            k = self.layer_key(f)
            if k is None or k[0] not in {kk[0] for kk in keys}:
                break
            tail_keys.append(k)
        rest = tail[len(tail_keys) :]
        if not tail_keys:
            raise EquationError("no factor after \\cdots continues the pattern")
        out_nodes, out_keys = [], []
        for step in range(0, 64):
            for node, key in zip(period, keys):
                nk = (key[0], key[1] - step)
                out_nodes.append(self.shift(node, -step))
                out_keys.append(nk)
                if nk == tail_keys[-1]:
                    r = len(tail_keys)
                    avail = out_keys[-r:]
                    if avail == tail_keys[-len(avail) :]:  # the written tail, not a copy
                        n = len(avail)
                        written = tail[len(tail_keys) - n : len(tail_keys)]
                        return out_nodes[:-n] + written + rest
            if out_keys[-1][1] < -2:
                break
        raise EquationError("the factors after \\cdots do not continue the pattern before it")

    def layer_key(self, f: Node):
        """(base name, layer number) of a factor like ``W^{l+1}``, ``D^L``, ``f_{l}`` or
        ``Df_l|_{a^{l-1}}``; None if the factor carries no layer index."""
        if f.kind == "jac":
            k = self.layer_key(f.args[0])
            return None if k is None else ("D" + k[0], k[1])
        if f.kind in ("sup", "sub") and f.args[0].kind == "sym" and f.args[1].kind != "T":
            try:
                return (f.args[0].args[0] + f.kind, self.index(f.args[1]))
            except (EquationError, ParseError):
                return None
        return None

    def shift(self, node: Node, by: int) -> Node:
        """``node`` with every layer index moved by ``by`` (``D^{L-1}`` -> ``D^{L-2}``; in
        ``Df_{L}|_{a^{L-1}}`` both the function and the point move)."""
        if not isinstance(node, Node):
            return node
        if node.kind in ("sup", "sub") and node.args[1].kind not in ("T", "colon", "tuple"):
            base = node.args[0]
            if base.kind == "sym" and (node.kind == "sup" or base.args[0] in ("f", "n", "sigma")):
                try:
                    value = self.index(node.args[1])
                except (EquationError, ParseError):
                    value = None
                if value is not None:
                    return Node(node.kind, (base, Node("num", (value + by,))))
        return Node(node.kind, tuple(self.shift(a, by) for a in node.args))

    def compose(self, node: Node):
        """``f \\circ g \\circ \\cdots \\circ h``: the composed function."""
        parts = _flatten_compose(node)
        if any(p is _DOTS for p in parts):
            parts = self.expand_dots(parts)
        fns = [self(p) for p in parts]
        for f in fns:
            if not isinstance(f, Fn):
                raise EquationError(f"\\circ of something that is not a function: {fmt(f)}")

        def composed(v):
            for f in reversed(fns):
                v = f(v)
            return v

        return Fn(
            composed, " o ".join(f.name for f in fns), False, fns[-1].dim, fns[0].out, fns[-1].arg
        )


_DOTS = Node("DOTS")


def _flatten(node: Node) -> list:
    if node.kind == "mul":
        return _flatten(node.args[0]) + _flatten(node.args[1])
    if node.kind == "dots":
        return _flatten(node.args[0]) + [_DOTS]
    return [node]


def _flat_syms(node: Node) -> list:
    if node.kind == "mul":
        a, b = _flat_syms(node.args[0]), _flat_syms(node.args[1])
        return a + b if a and b else []
    if node.kind == "sym" and len(node.args[0]) == 1:
        return [node]
    return []


def partial(f: Fn, v, k: int, h: float = 1e-30):
    """d f / d v_k at v (k 1-based), by complex step: a column, or a number."""
    v = np.asarray(v, dtype=float)
    P = v.astype(complex)
    P.reshape(-1)[k - 1] += 1j * h
    out = np.imag(np.asarray(f(P))) / h
    return float(out) if out.ndim == 0 else out


def jacobian_at(f: Fn, x):
    """The Jacobian matrix of ``f`` at ``x`` (rows: outputs, columns: inputs)."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return float(partial(f, x.reshape(1), 1)) if np.ndim(f(x)) == 0 else partial(f, x, 1)
    cols = [np.atleast_1d(np.asarray(partial(f, x, k + 1))).reshape(-1, 1) for k in range(x.size)]
    return np.hstack(cols)


def _component(v, i: int):
    v = np.asarray(v)
    if v.ndim == 0 or v.size < i:
        raise BindingError(f"component {i} of a value with {v.size} entries")
    return v.reshape(-1)[i - 1]


def _differ(a: Node, b: Node):
    """The one pair of differing leaves of two nodes of the same shape, else None."""
    if a == b:
        return ()
    if (
        (a.kind in ("num", "sym") or b.kind in ("num", "sym"))
        and a.kind != b.kind
        or (a.kind in ("num", "sym") and a != b)
    ):
        return (a, b)
    if a.kind != b.kind or len(a.args) != len(b.args):
        return None
    found = ()
    for x, y in zip(a.args, b.args):
        if isinstance(x, Node) and isinstance(y, Node):
            d = _differ(x, y)
        elif isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y):
            d = ()
            for xx, yy in zip(x, y):
                dd = _differ(xx, yy) if isinstance(xx, Node) else (() if xx == yy else None)
                if dd is None or (dd and d):
                    return None
                d = dd or d
        else:
            d = () if x == y else None
        if d is None or (d and found):
            return None
        found = d or found
    return found or None


def _replace(node, old: Node, new: Node):
    if node == old:
        return new
    if isinstance(node, tuple):
        return tuple(_replace(x, old, new) for x in node)
    if not isinstance(node, Node):
        return node
    return Node(node.kind, tuple(_replace(a, old, new) for a in node.args))


def _flatten_compose(node: Node) -> list:
    if node.kind == "compose":
        return _flatten_compose(node.args[0]) + _flatten_compose(node.args[1])
    if node.kind == "dotsatom":
        return [_DOTS]
    return [node]


def _sym_based(node: Node) -> bool:
    while node.kind in ("prime", "sup", "sub"):
        if node.kind == "sup" and node.args[1].kind == "T":
            return False
        node = node.args[0]
    return node.kind == "sym"


def transpose(v):
    if isinstance(v, np.ndarray):
        return v.T
    if isinstance(v, Lazy) and v.kind == "I":
        return v
    if _is_scalar(v):
        return v
    raise EquationError(f"transpose of {fmt(v)}")


def power(base, e):
    e = _as_scalar_if_1x1(e)
    base = _as_scalar_if_1x1(base)
    if _is_scalar(base) or isinstance(base, complex):
        return base ** float(e)
    if isinstance(base, np.ndarray) and base.shape[0] == base.shape[1] and float(e) == int(e):
        return np.linalg.matrix_power(base, int(e))
    raise EquationError(f"power {e} of {fmt(base)}")


# --------------------------------------------------------------------------- clauses


def free_letters(node, letters: str, bound=None) -> set:
    """Index letters (from ``letters``) used in ``node`` and not bound by a sum or limit."""
    bound = set() if bound is None else bound
    out = set()
    if isinstance(node, Node):
        if node.kind == "sym" and node.args[0] in letters and node.args[0] not in bound:
            out.add(node.args[0])
        if node.kind in ("sum", "prod") and node.args[0] is not None and node.args[0].kind == "rel":
            var = node.args[0].args[1].args[0]
            out |= free_letters(node.args[0].args[2], letters, bound)
            out |= free_letters(node.args[1], letters, bound)
            out |= free_letters(node.args[2], letters, bound | {var})
            return out
        if node.kind == "build":
            names = {n.args[0] for n in node.args[1]}
            return free_letters(node.args[0], letters, bound | names)
        if node.kind == "lim":
            var = node.args[0].args[1].args[0]
            return free_letters(node.args[1], letters, bound | {var})
        for a in node.args:
            out |= free_letters(a, letters, bound)
    elif isinstance(node, tuple):
        for a in node:
            out |= free_letters(a, letters, bound)
    return out


def compare(x, y, rel: str, rtol: float, atol: float):
    """Assert ``x rel y``; return a message when it does not hold."""
    if rel == "=" and (isinstance(x, Fn) or isinstance(y, Fn)):
        return compare_functions(x, y, rtol, atol)
    if rel == "=":
        x, y = _same_shape(x, y, "comparison")
        if not np.allclose(x, y, rtol=rtol, atol=atol):
            return "the two sides differ"
        return None
    if rel in ("<=", "<", ">=", ">"):
        x, y = _as_scalar_if_1x1(x), _as_scalar_if_1x1(y)
        if not (_is_scalar(x) and _is_scalar(y)):
            raise EquationError("an inequality between non-scalars")
        slack = atol + rtol * max(abs(x), abs(y))
        ok = {"<=": x <= y + slack, "<": x < y, ">=": x >= y - slack, ">": x > y}[rel]
        return None if ok else f"{rel} does not hold"
    raise EquationError(f"the relation {rel!r} cannot be checked: exempt the equation")


def compare_functions(f, g, rtol, atol):
    """Two functions are equal if they agree at three seeded random columns."""
    if not (isinstance(f, Fn) and isinstance(g, Fn)):
        raise EquationError(f"a function compared with {fmt(g if isinstance(f, Fn) else f)}")
    dim = f.dim or g.dim
    if dim is None or (f.dim and g.dim and f.dim != g.dim):
        raise EquationError(f"functions on different spaces ({f.dim} and {g.dim} inputs)")
    rng = np.random.default_rng(0)
    for _ in range(3):
        v = rng.normal(size=(dim, 1))
        fv, gv = f(v), g(v)
        if np.shape(fv) != np.shape(gv) or not np.allclose(fv, gv, rtol=rtol, atol=atol):
            return f"the functions differ at a random input:\n{fmt(fv)}\n{fmt(gv)}"
    return None


def shape_of_R(node: Node, ev: Evaluator) -> tuple:
    """``\\R^{n}`` -> (n, 1); ``\\R^{n \\times m}`` -> (n, m)."""
    if node.kind != "sup" or node.args[0].kind != "R":
        raise EquationError("\\in needs \\R^{...} on its right")
    e = node.args[1]
    if e.kind == "smul":
        return (ev.index(e.args[0]), ev.index(e.args[1]))
    return (ev.index(e), 1)


@dataclass
class Instance:
    """What a failing check reports: the instance description and the index values."""

    describe: str
    env: dict


def check_clauses(
    clauses: list[Clause],
    ranges: list[Range],
    inst,
    *,
    defs: dict,
    layer_letters: str,
    entry_letters: str,
    default_range,
    rtol: float,
    atol: float,
    range_options: dict,
    per_clause: list | None = None,
) -> int:
    """Evaluate every clause for every valid assignment of its free index letters on the
    instance ``inst``; return the number of comparisons made, raise :class:`EquationError`
    with both sides on the first that fails."""
    n = 0
    letters = layer_letters + entry_letters
    for ci, clause in enumerate(clauses):
        if not clause.rels:
            raise EquationError(f"{clause.text!r} is an expression, not a relation")
        free = free_letters(tuple(clause.terms), letters)
        for d in defs.values():  # letters used by local definitions are free too
            free |= free_letters(d[1], letters) - set(p for p in d[0] if p)
        lines_ranges = {r.var: r for r in ranges if r.line == clause.line} or {
            r.var: r for r in ranges
        }
        layer_free = sorted(v for v in free if v in layer_letters)
        entry_free = sorted(v for v in free if v in entry_letters)
        done = 0
        for env in _layer_assignments(
            layer_free, lines_ranges, range_options, inst, default_range, defs, layer_letters
        ):
            sizes = _probe_entries(clause, inst, env, defs, letters, entry_free)
            for combo in itertools.product(*[range(1, sizes[v] + 1) for v in entry_free]):
                full = {**env, **dict(zip(entry_free, combo))}
                n += _check_one(clause, inst, full, defs, letters, rtol, atol)
                done += 1
        if per_clause is not None:  # the caller requires some instance for every clause
            per_clause[ci] += done
        elif done == 0:
            raise EquationError(f"{clause.text!r}: no valid index values on {inst.describe()}")
    return n


def _layer_assignments(layer_free, ranges, options, inst, default_range, defs, letters):
    order = sorted(layer_free, key=lambda v: _depends(v, ranges, options, layer_free))
    envs = [{}]
    for v in order:
        new = []
        for env in envs:
            ev = Evaluator(inst, env, defs, letters)
            if v in options:
                lo, hi = options[v]
                vals = range(ev.index(lo), ev.index(hi) + 1)
            elif v in ranges:
                r = ranges[v]
                if r.values is not None:
                    vals = [ev.index(x) for x in r.values]
                    if sorted(vals) != list(range(min(vals), max(vals) + 1)):
                        raise EquationError(f"the range {v} = {vals} has a gap or a repeat")
                else:
                    a, b = ev.index(r.lo), ev.index(r.hi)
                    vals = range(min(a, b), max(a, b) + 1)
            else:
                vals = default_range(inst)
            new += [{**env, v: x} for x in vals]
        envs = new
    return envs


def _depends(v, ranges, options, free):
    src = options.get(v) or ((ranges[v].lo, ranges[v].hi) if v in ranges else ())
    return len(free_letters(tuple(x for x in src if isinstance(x, Node)), "".join(free)))


def _probe_entries(clause, inst, env, defs, letters, entry_free) -> dict:
    if not entry_free:
        return {}
    ev = Evaluator(inst, {**env, **{v: 1 for v in entry_free}}, defs, letters)
    ev.probe = {v: set() for v in entry_free}
    for i, t in enumerate(clause.terms):
        if i > 0 and clause.rels[i - 1] in ("in", "colon", "->"):
            continue
        try:
            ev(t)
        except (EquationError, ParseError):
            pass
    sizes = {}
    for v, s in ev.probe.items():
        if not s:
            raise EquationError(f"{clause.text!r}: cannot tell the range of the index {v}")
        if len(s) > 1:
            raise EquationError(
                f"{clause.text!r}: the index {v} runs over {sorted(s)} entries in different "
                f"places (on {inst.describe()}, {_env_text(env)})"
            )
        sizes[v] = s.pop()
    return sizes


def _env_text(env: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(env.items())) or "no indices"


def _check_one(clause, inst, env, defs, letters, rtol, atol) -> int:
    ev = Evaluator(inst, env, defs, letters)
    where = f"on {inst.describe()}, {_env_text(env)}"
    try:
        vals = []
        for i, t in enumerate(clause.terms):
            if i > 0 and clause.rels[i - 1] in ("in", "colon", "->"):
                vals.append(shape_of_R(t, ev))
            else:
                vals.append(ev(t))
    except (EquationError, ParseError) as exc:
        raise EquationError(f"{clause.text!r} cannot be evaluated {where}: {exc}") from None
    n = 0
    left = vals[0]
    for i, rel in enumerate(clause.rels):
        right = vals[i + 1]
        if rel == "colon":  # f : R^n -> R^m
            if i + 1 >= len(clause.rels) or clause.rels[i + 1] != "->":
                raise EquationError(f"{clause.text!r}: a signature reads f : R^n \\to R^m")
            f, dom, cod = left, vals[i + 1], vals[i + 2]
            if not isinstance(f, Fn) or (f.dim is not None and f.dim != dom[0]):
                raise EquationError(f"{clause.text!r}: {fmt(f)} does not take R^{dom[0]} {where}")
            out = f(np.random.default_rng(1).normal(size=dom))
            if np.shape(out) != cod:
                raise EquationError(
                    f"{clause.text!r}: the output has shape {np.shape(out)}, not {cod} {where}"
                )
            return n + 1
        if rel == "in":
            if isinstance(left, Lazy) and i > 0:  # e_j sized by the side it equals
                left = _materialize(left, vals[i - 1])
            shape = getattr(left, "shape", None)
            if shape != right:
                raise EquationError(f"{clause.text!r}: shape {shape} is not {right} {where}")
            n += 1
            continue
        try:
            msg = compare(left, right, rel, rtol, atol)
        except EquationError as exc:
            msg = str(exc)
        if msg:
            raise EquationError(
                f"{clause.text!r}: {msg} {where}\nleft side, term {i + 1}, {fmt(left)}\n"
                f"right side, term {i + 2}, {fmt(right)}"
            )
        n += 1
        left = right
    return n
