r"""Reverse mode one number at a time: a :class:`Value` holds a scalar ``data`` and its ``grad``.

The scalar counterpart of :mod:`backprop.autodiff`, in the style of micrograd: every
arithmetic operation on a :class:`Value` creates a new node that remembers its inputs and the
local derivatives with respect to them; :meth:`Value.backward` orders the graph topologically
and sends each node's adjoint to its inputs, $\bar u \mathrel{+}= \frac{\partial v}{\partial u}
\bar v$ (Equation :eq:`eq-ad-fanout`). A network built from it has one node per scalar
multiplication, addition and activation (Equation :eq:`eq-ad-op-count`), which is why the
matrix version is the one to run.
"""

from __future__ import annotations

import math


class Value:
    """A scalar node: ``data``, adjoint ``grad``, inputs ``parents`` with local derivatives."""

    __slots__ = ("data", "grad", "parents", "local", "op")

    def __init__(self, data: float, parents=(), local=(), op: str = ""):
        self.data, self.grad = float(data), 0.0
        self.parents, self.local, self.op = parents, local, op

    @staticmethod
    def _wrap(x) -> Value:
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value._wrap(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other):
        other = Value._wrap(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other):
        other = Value._wrap(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    __radd__ = __add__
    __rmul__ = __mul__

    def sigmoid(self) -> Value:
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))  # = 1/(1+e^{-x}), never overflows
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self) -> Value:
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), "relu")

    def graph(self) -> list[Value]:
        """Every node this one depends on, inputs before the nodes computed from them."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # iterative depth-first search: deep graphs do not hit the recursion limit
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        return order

    def backward(self) -> int:
        r"""Set ``grad`` of every node to $\partial(\text{self})/\partial(\text{node})$.

        Returns the number of operation nodes (nodes with inputs) that were walked.
        """
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, d in zip(node.parents, node.local):
                parent.grad += d * node.grad  # adjoints add: eq-ad-fanout
        return sum(1 for node in order if node.parents)

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def network_loss(weights, biases, X, Y, hidden="sigmoid", output="sigmoid"):
    r"""The mean quadratic loss of a dense network, built from :class:`Value` nodes.

    ``weights[l-1]`` is $W^l$ (nested lists or an array, shape $(n_l, n_{l-1})$),
    ``biases[l-1]`` is $b^l$; ``X`` $(M, n_0)$ and ``Y`` $(M, n_L)$ hold samples as rows.
    Returns ``(loss, W, b)``: the loss node and the :class:`Value` leaves of the parameters
    as nested lists, so that after ``loss.backward()`` ``W[l-1][j][k].grad`` is
    $\partial C/\partial w^l_{jk}$. Activations: ``"sigmoid"``, ``"tanh"``, ``"relu"``,
    ``"identity"``.
    """
    W = [[[Value(w) for w in row] for row in Wl] for Wl in weights]
    b = [[Value(v) for v in bl] for bl in biases]
    L, M = len(W), len(X)
    squares = []
    for x, y in zip(X, Y):
        a = [Value(v) for v in x]
        for l in range(L):
            name = hidden if l < L - 1 else output
            z = []
            for j in range(len(W[l])):
                acc = b[l][j]
                for k in range(len(a)):
                    acc = acc + W[l][j][k] * a[k]  # z_j = b_j + sum_k w_jk a_k
                z.append(acc)
            a = z if name == "identity" else [getattr(v, name)() for v in z]
        for aj, yj in zip(a, y):
            d = aj - yj
            squares.append(d * d)
    total = squares[0]
    for s in squares[1:]:
        total = total + s
    return total * (0.5 / M), W, b
