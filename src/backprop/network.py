r"""The fully connected network of the book: forward pass, loss, and backpropagation.

Notation (chapter *Notation and the forward pass*): layers $l = 1, \dots, L$ with sizes
$n_0, \dots, n_L$;

$$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma_l(z^l), \qquad a^0 = x,$$

with $W^l \in \mathbb R^{n_l \times n_{l-1}}$. In code the samples are the rows of ``X``
(shape ``(M, n_0)``), so the batch form is ``Z[l] = A[l-1] @ W[l].T + b[l]``.

Two ways to reach the parameters, both the same arrays:

* ``net.weights[l]`` / ``net.biases[l]``: plain 0-based lists, ``weights[l]`` is $W^{l+1}$
  with shape ``(n_{l+1}, n_l)`` (the stable public contract);
* ``net.W[l]`` / ``net.b[l]``: 1-based views, ``net.W[l]`` is $W^l$ exactly as in the text.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate, activations, losses
from ._indexed import Indexed

DTYPES = (np.float32, np.float64)


class ForwardPass(NamedTuple):
    r"""Everything the forward pass computed: ``z[l]`` for l = 1..L, ``a[l]`` for l = 0..L.

    ``z[l]`` and ``a[l]`` have shape ``(M, n_l)``; ``a[0]`` is the input ``X``. (A named
    tuple: immutable, and cheap to build once per training step.)
    """

    z: Indexed
    a: Indexed


@dataclass(frozen=True)
class BackwardPass:
    r"""The result of backpropagation on a batch.

    ``delta[l]`` (l = 1..L): per-sample errors $\delta^l_m = \partial C_m/\partial z^l_m$ as
    rows, shape ``(M, n_l)``. ``dW[l]``, ``db[l]`` (l = 1..L): gradients of the mean loss,
    shapes of $W^l$ and $b^l$. ``forward``: the :class:`ForwardPass` it started from.
    """

    delta: Indexed
    dW: Indexed
    db: Indexed
    forward: ForwardPass


class Network:
    r"""A fully connected feed-forward network trained by backpropagation.

    Parameters
    ----------
    sizes : sequence of int
        $[n_0, n_1, \dots, n_L]$, at least an input and an output size, each >= 1.
    hidden : {"sigmoid", "tanh", "relu", "identity"}
        $\sigma$ of the hidden layers $1, \dots, L-1$.
    output : {"identity", "sigmoid", "softmax"}
        Activation of layer $L$.
    loss : {"mse", "cross_entropy"}
        ``"mse"``: mean over samples of $\tfrac12\lVert a^L - y\rVert^2$. ``"cross_entropy"``:
        with a softmax output the categorical one (targets one-hot ``(M, n_L)`` or integer
        labels ``(M,)``), with a sigmoid output the elementwise binary one.
    seed : int
        Seed of the generator that draws the initial weights.
    dtype : np.float64 or np.float32
        Floating type of every parameter and computation.
    init : "auto", "glorot", "he" or float
        ``"glorot"``: $W_{ij} \sim U(\pm\sqrt{6/(n_{l-1}+n_l)})$; ``"he"``: normal with
        variance $2/n_{l-1}$; ``"auto"``: He for ReLU hidden layers, Glorot otherwise; biases
        start at 0. A float ``r`` draws weights and biases from $U[-r, r]$.
    """

    def __init__(
        self,
        sizes,
        hidden: str = "sigmoid",
        output: str = "sigmoid",
        loss: str = "mse",
        seed: int = 0,
        dtype=np.float64,
        init="auto",
    ):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes must be a list of layer sizes [n0, ..., nL], got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(
                f"sizes needs at least an input and an output size, got {list(sizes)!r}"
            )
        self.sizes = tuple(
            _validate.positive_int(f"layer size sizes[{i}]", n) for i, n in enumerate(sizes)
        )
        _validate.choice("hidden activation", hidden, activations.HIDDEN)
        losses.check_pair(output, loss)
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {np.dtype(dtype)}")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        self.hidden, self.output, self.loss_name = hidden, output, loss
        self.dtype = np.dtype(dtype)
        self.seed = int(seed)
        self.init = init
        self.weights, self.biases = _initial_parameters(self.sizes, hidden, init, seed, self.dtype)

    # ----------------------------------------------------------------- structure
    @property
    def L(self) -> int:
        """Number of layers with parameters (the input layer 0 is not counted)."""
        return len(self.sizes) - 1

    @property
    def W(self) -> Indexed:
        r"""1-based view: ``net.W[l]`` is $W^l$, shape ``(n_l, n_{l-1})``."""
        return Indexed(self.weights, start=1)

    @property
    def b(self) -> Indexed:
        r"""1-based view: ``net.b[l]`` is $b^l$, shape ``(n_l,)``."""
        return Indexed(self.biases, start=1)

    def activation(self, l: int) -> str:
        """Name of $\\sigma_l$, the activation of layer ``l`` (1..L)."""
        if not 1 <= l <= self.L:
            raise IndexError(f"layer index must be in 1..{self.L}, got {l}")
        return self.output if l == self.L else self.hidden

    @property
    def n_parameters(self) -> int:
        """Total number of weights and biases."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases))

    def __repr__(self) -> str:
        return (
            f"Network({list(self.sizes)}, hidden={self.hidden!r}, output={self.output!r}, "
            f"loss={self.loss_name!r}, dtype={self.dtype.name})"
        )

    def copy(self) -> Network:
        """An independent copy (parameters copied, same settings)."""
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        new.weights = [W.copy() for W in self.weights]
        new.biases = [b.copy() for b in self.biases]
        return new

    # ----------------------------------------------------------------- checks
    def check_X(self, X) -> np.ndarray:
        """``X`` as an ``(M, n_0)`` array of the network's dtype, or a clear error."""
        X = _validate.as_2d_float("X", X, self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the network has n0 = {self.sizes[0]} inputs: "
                f"expected shape (M, {self.sizes[0]}), got {X.shape}"
            )
        return X

    def check_Y(self, Y, M: int) -> np.ndarray:
        """Targets as an ``(M, n_L)`` array; integer labels are one-hot encoded for softmax."""
        nL = self.sizes[-1]
        Yarr = np.asarray(Y)
        if Yarr.ndim == 1 and self.output == "softmax" and self.loss_name == "cross_entropy":
            if not np.issubdtype(Yarr.dtype, np.integer):
                raise TypeError(
                    "1-D targets are read as class labels and must be integers, "
                    f"got dtype {Yarr.dtype}; pass one-hot targets of shape (M, {nL}) instead"
                )
            if Yarr.shape[0] != M:
                raise ValueError(f"Y has {Yarr.shape[0]} labels but X has {M} rows")
            if Yarr.size and (Yarr.min() < 0 or Yarr.max() >= nL):
                raise ValueError(
                    f"labels must lie in 0..{nL - 1} for {nL} output classes, "
                    f"got values from {Yarr.min()} to {Yarr.max()}"
                )
            return one_hot(Yarr, nL, self.dtype)
        if Yarr.ndim == 1:
            raise ValueError(
                f"Y has shape {Yarr.shape} but the network outputs shape ({M}, {nL}); a 1-D "
                f"target would broadcast silently, so pass Y.reshape(-1, {nL}) or one row per "
                "sample (integer labels of shape (M,) are accepted only with a softmax output "
                "and cross_entropy)"
            )
        Yarr = _validate.as_2d_float("Y", Yarr, self.dtype)
        if Yarr.shape != (M, nL):
            raise ValueError(
                f"Y must have shape ({M}, {nL}) to match X and the output layer, got {Yarr.shape}"
            )
        if self.loss_name == "cross_entropy":
            if Yarr.min() < 0 or Yarr.max() > 1:
                raise ValueError(
                    "cross_entropy targets must lie in [0, 1], got values from "
                    f"{Yarr.min()} to {Yarr.max()}"
                )
            if self.output == "softmax":
                sums = Yarr.sum(axis=1)
                if not np.allclose(sums, 1.0, atol=1e-4):
                    i = int(np.argmax(np.abs(sums - 1.0)))
                    raise ValueError(
                        "softmax cross_entropy targets must be one-hot or "
                        f"probabilities summing to 1 per row; row {i} sums to "
                        f"{sums[i]}"
                    )
        return Yarr

    # ----------------------------------------------------------------- forward
    def forward(self, X) -> ForwardPass:
        r"""Run the forward pass, keeping every $z^l$ and $a^l$ (``X``: ``(M, n_0)``).

        In the book: Equations :eq:`eq-forward-z`, :eq:`eq-forward-a` and, for a batch,
        :eq:`eq-forward-batch`.
        """
        X = self.check_X(X)
        return self._forward(X)

    def _forward(self, X: np.ndarray) -> ForwardPass:
        zs, As = [], [X]
        A = X
        for W, b, sigma in zip(self.weights, self.biases, self._activation_functions()):
            Z = A @ W.T
            Z += b
            A = sigma(Z)
            zs.append(Z)
            As.append(A)
        return ForwardPass(z=Indexed(zs, 1), a=Indexed(As, 0))

    def _activation_functions(self) -> list:
        r"""The functions $\sigma_1, \dots, \sigma_L$ (names were validated in __init__)."""
        out = (
            activations.softmax
            if self.output == "softmax"
            else activations.ELEMENTWISE[self.output].f
        )
        return [activations.ELEMENTWISE[self.hidden].f] * (self.L - 1) + [out]

    def predict(self, X) -> np.ndarray:
        r"""The network's output $a^L$ for each row of ``X``: ``(M, n_0)`` -> ``(M, n_L)``."""
        return self.forward(X).a[self.L]

    def loss(self, X, Y) -> float:
        r"""The loss (mean over the M samples) of the outputs for ``X`` against targets ``Y``.

        In the book: the mean cost :eq:`eq-loss-mean`.
        """
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[0])
        fp = self._forward(X)
        return losses.value(self.loss_name, self.output, fp.z[self.L], fp.a[self.L], Y)

    def per_sample_loss(self, X, Y) -> np.ndarray:
        """The loss $C_m$ of each sample, shape ``(M,)``."""
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[0])
        fp = self._forward(X)
        return losses.per_sample(self.loss_name, self.output, fp.z[self.L], fp.a[self.L], Y)

    # ----------------------------------------------------------------- backward
    def backward(self, X, Y) -> BackwardPass:
        r"""Backpropagation on the batch ``(X, Y)``: deltas and gradients of every layer.

        $\delta^L$ comes from the loss (:func:`backprop.losses.output_delta`); then for
        $l = L-1, \dots, 1$ the recursion
        $\delta^l = ((W^{l+1})^{\mathsf T}\delta^{l+1}) \odot \sigma'(z^l)$, in row form
        ``D[l] = (D[l+1] @ W[l+1]) * dsigma(Z[l])``; and
        $\partial C/\partial W^l = \frac1M \sum_m \delta^l_m (a^{l-1}_m)^{\mathsf T}$
        = ``D[l].T @ A[l-1] / M``, $\partial C/\partial b^l$ = mean of the rows of ``D[l]``.

        In the book: Equations :eq:`eq-delta-output`, :eq:`eq-delta-recursion`, :eq:`eq-grad-b`,
        :eq:`eq-grad-W`, averaged over the batch as in :eq:`eq-mb-mean-gradient`.
        """
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[0])
        fp = self._forward(X)
        deltas = self._deltas(fp, Y)
        M = X.shape[0]
        dW = [D.T @ fp.a[l - 1] / M for l, D in enumerate(deltas, start=1)]
        db = [D.mean(axis=0) for D in deltas]
        return BackwardPass(Indexed(deltas, 1), Indexed(dW, 1), Indexed(db, 1), fp)

    def _deltas(self, fp: ForwardPass, Y: np.ndarray, scale: float = 1.0) -> list:
        L = self.L
        z, a = [None, *fp.z], list(fp.a)  # plain lists, indexed as in the text: z[l] is z^l
        D = losses.output_delta(self.loss_name, self.output, z[L], a[L], Y)
        if scale != 1.0:
            D *= scale
        deltas = [D]
        derivative = activations.ELEMENTWISE[self.hidden].derivative
        for l in range(L - 1, 0, -1):
            D = D @ self.weights[l]  # (W^{l+1})^T delta^{l+1}, as rows
            D *= derivative(z[l], a[l])
            deltas.append(D)
        deltas.reverse()
        return deltas

    def deltas(self, X, Y) -> Indexed:
        r"""Per-sample errors ``delta[l]`` $= \partial C_m/\partial z^l_m$ for l = 1..L.

        Each is an ``(M, n_l)`` array: row m is :math:`(\delta^l_m)^\mathsf{T}`.

        In the book: Equations :eq:`eq-delta-output` and :eq:`eq-delta-recursion`.
        """
        return self.backward(X, Y).delta

    def gradients(self, X, Y):
        r"""Gradients of :meth:`loss`: ``(dWs, dbs)``, 0-based lists shaped like
        ``weights`` and ``biases``."""
        bp = self.backward(X, Y)
        return list(bp.dW), list(bp.db)

    def _gradients_unchecked(self, X: np.ndarray, Y: np.ndarray):
        """The hot path of training: gradients and the forward pass, no input checks.

        The output error is scaled by 1/M once; the recursion is linear in delta, so every
        layer's gradient then needs a plain sum instead of a mean.
        """
        fp = self._forward(X)
        deltas = self._deltas(fp, Y, scale=1.0 / X.shape[0])
        # zip pairs delta^l with a^{l-1}, l = 1..L (a^L is left over)
        dW = [D.T @ A_prev for D, A_prev in zip(deltas, fp.a)]
        db = [D.sum(axis=0) for D in deltas]
        return dW, db, fp

    def local_jacobians(self, x) -> list:
        r"""The two local Jacobians of every layer at one input ``x`` of shape ``(n_0,)``.

        Returns a list, entry ``l-1`` for layer ``l``, of dicts with
        ``"dz_da_prev"`` $= \partial z^l/\partial a^{l-1} = W^l$ ``(n_l, n_{l-1})``,
        ``"da_dz"`` $= \partial a^l/\partial z^l$ ``(n_l, n_l)`` (diagonal $\operatorname{diag}
        \sigma'(z^l)$, or $\operatorname{diag}(a) - aa^{\mathsf T}$ for softmax), and
        ``"dz_dW"`` $= \partial z^l_i/\partial W^l_{jk} = [i=j]\,a^{l-1}_k$ as an array
        ``(n_l, n_l, n_{l-1})``.

        In the book: Equations :eq:`eq-bp-local-dz` and :eq:`eq-bp-local-dtheta`.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.shape != (self.sizes[0],):
            raise ValueError(f"x must be one sample of shape ({self.sizes[0]},), got {x.shape}")
        fp = self.forward(x[None, :])
        out = []
        for l in range(1, self.L + 1):
            z, a, a_prev = fp.z[l][0], fp.a[l][0], fp.a[l - 1][0]
            if l == self.L and self.output == "softmax":
                da_dz = activations.softmax_jacobian(a)
            else:
                da_dz = np.diag(activations.get(self.activation(l)).derivative(z, a))
            n = self.sizes[l]
            dz_dW = np.einsum("ij,k->ijk", np.eye(n, dtype=self.dtype), a_prev)
            out.append({"dz_da_prev": self.weights[l - 1].copy(), "da_dz": da_dz, "dz_dW": dz_dW})
        return out

    # ----------------------------------------------------------------- training
    def fit(
        self,
        X,
        Y,
        epochs: int = 100,
        batch_size: int = 32,
        learning_rate: float = 0.1,
        momentum: float = 0.0,
        seed: int = 0,
        callback=None,
        l2: float = 0.0,
        validation=None,
        evaluate: bool = True,
    ):
        """Minibatch SGD; see :func:`backprop.train.fit` for every argument."""
        from .train import fit

        return fit(
            self,
            X,
            Y,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            momentum=momentum,
            seed=seed,
            callback=callback,
            l2=l2,
            validation=validation,
            evaluate=evaluate,
        )

    def accuracy(self, X, y) -> float:
        """Fraction of rows classified correctly.

        ``y``: integer labels ``(M,)`` or one-hot/0-1 targets ``(M, n_L)``. Several outputs:
        the class is the argmax; one output: the class is ``a >= 0.5`` (``>= 0`` for an
        identity output).
        """
        A = self.predict(X)
        y = np.asarray(y)
        if A.shape[1] == 1:
            cut = 0.0 if self.output == "identity" else 0.5
            pred = (A[:, 0] >= cut).astype(int)
            truth = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
            if truth.ndim != 1 or truth.shape[0] != A.shape[0]:
                raise ValueError(
                    f"y must have shape ({A.shape[0]},) or ({A.shape[0]}, 1), got {y.shape}"
                )
            return float(np.mean(pred == (truth >= cut)))
        pred = A.argmax(axis=1)
        truth = y.argmax(axis=1) if y.ndim == 2 else y
        if truth.shape != (A.shape[0],):
            raise ValueError(f"y must have shape ({A.shape[0]},) or {A.shape}, got {y.shape}")
        return float(np.mean(pred == truth))

    # ----------------------------------------------------------------- persistence
    def save(self, path) -> None:
        """Save settings and parameters to a ``.npz`` file (no pickle)."""
        from .io import save

        save(self, path)

    @classmethod
    def load(cls, path) -> Network:
        """A new network with the settings and parameters stored by :meth:`save`."""
        from .io import load

        return load(path)

    def load_parameters(self, path) -> None:
        """Replace this network's parameters by those in ``path``; the sizes must match."""
        from .io import load_parameters

        load_parameters(self, path)


def one_hot(labels: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Integer labels ``(M,)`` -> one-hot rows ``(M, n_classes)``."""
    labels = np.asarray(labels)
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def _initial_parameters(sizes, hidden, init, seed, dtype):
    rng = np.random.default_rng(seed)
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        r = _validate.positive_float("init (uniform half-width)", init)
        Ws = [rng.uniform(-r, r, size=(n, m)) for m, n in zip(sizes[:-1], sizes[1:])]
        bs = [rng.uniform(-r, r, size=n) for n in sizes[1:]]
    else:
        _validate.choice("init", init, ("auto", "glorot", "he"))
        scheme = ("he" if hidden == "relu" else "glorot") if init == "auto" else init
        Ws = []
        for m, n in zip(sizes[:-1], sizes[1:]):
            if scheme == "he":
                Ws.append(rng.normal(0.0, np.sqrt(2.0 / m), size=(n, m)))
            else:
                r = np.sqrt(6.0 / (m + n))
                Ws.append(rng.uniform(-r, r, size=(n, m)))
        bs = [np.zeros(n) for n in sizes[1:]]
    return [W.astype(dtype) for W in Ws], [b.astype(dtype) for b in bs]
