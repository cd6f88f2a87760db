r"""The fully connected network of the book: layer pairs in a loop, forward and backward.

Notation (chapter *Notation and the forward pass*): layers $l = 1, \dots, L$ with sizes
$n_0, \dots, n_L$;

$$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma_l(z^l),$$

with $a^0 = x$ and $W^l \in \mathbb R^{n_l \times n_{l-1}}$. In code the samples are the
rows of ``X`` (shape ``(M, n_0)``), so the batch form is ``Z[l] = A[l-1] @ W[l].T + b[l]``.

Layer indices are the book's everywhere: ``net.W[l]`` is $W^l$, ``fp.z[l]`` is $z^l$,
``bp.dW[l]`` is $\partial C/\partial W^l$. The plain lists ``net.weights`` and ``net.biases``
are the same arrays, 0-based (``weights[l-1]`` is $W^l$, shape ``(n_l, n_{l-1})``): the stable
public contract, also the shape of what :meth:`Network.gradients` returns.

The equations themselves are written once, in :mod:`backprop.layers` (the layer pairs) and
:mod:`backprop.losses` (the output error); ``Network._backward`` chains them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate, activations, io, layers, losses, train
from ._indexed import Indexed

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class ForwardPass(NamedTuple):
    r"""Everything the forward pass computed: ``z[l]`` for l = 1..L, ``a[l]`` for l = 0..L.

    ``z[l]`` and ``a[l]`` have shape ``(M, n_l)``; ``a[0]`` is the input ``X``. This is the
    cache the backward pass reads.
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
        $[n_0, n_1, \dots, n_L]$: at least an input and an output size, each in
        1..100,000, at most 50 million weights and biases (checked before allocating).
    hidden : {"sigmoid", "tanh", "relu", "identity"}
        $\sigma$ of the hidden layers $1, \dots, L-1$.
    output : {"identity", "sigmoid", "softmax"}
        Activation of layer $L$.
    loss : {"mse", "cross_entropy"}
        ``"mse"``: mean over samples of $\tfrac12\lVert a^L - y\rVert^2$. ``"cross_entropy"``:
        with a softmax output the categorical one (targets one-hot ``(M, n_L)`` or integer
        labels ``(M,)``), with a sigmoid output the elementwise binary one.
    seed : int >= 0
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
        hidden="sigmoid",
        output="sigmoid",
        loss="mse",
        seed=0,
        dtype=np.float64,
        init="auto",
    ):
        self.sizes = _validate.layer_sizes("sizes", sizes)
        _validate.choice("hidden", hidden, activations.HIDDEN)
        self._loss = losses.get(loss, output)
        self.dtype = checked_dtype(dtype)
        self.seed = _validate.seed("seed", seed)
        self.hidden, self.output, self.loss_name, self.init = hidden, output, loss, init
        # sigma[l] is the activation record of layer l (1-based, as in the text)
        self._sigma = [None, *[activations.get(hidden)] * (self.L - 1), activations.output(output)]
        self._pack(*initial_parameters(self.sizes, hidden, init, seed, self.dtype))

    # ----------------------------------------------------------------- structure
    @property
    def L(self) -> int:
        """Number of layers with parameters (the input layer 0 is not counted)."""
        return len(self.sizes) - 1

    @property
    def W(self) -> Indexed:
        r"""Book-indexed view: ``net.W[l]`` is $W^l$ (the array ``weights[l-1]``)."""
        return Indexed(self.weights, start=1)

    @property
    def b(self) -> Indexed:
        r"""Book-indexed view: ``net.b[l]`` is $b^l$ (the array ``biases[l-1]``)."""
        return Indexed(self.biases, start=1)

    def activation(self, l: int) -> str:
        """Name of $\\sigma_l$, the activation of layer ``l`` (1..L)."""
        return self._sigma[_validate.integer("layer index l", l, 1, self.L)].name

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
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._pack(self.weights, self.biases)
        return new

    def _pack(self, Ws, bs) -> None:
        """Copy ``Ws``, ``bs`` into one new buffer; ``weights``/``biases`` become its views.

        One buffer lets an SGD step update every parameter with one array operation
        (:func:`backprop.train.sgd_step`); the lists and their arrays behave as before.
        """
        self._theta, self.weights, self.biases = layers.parameter_buffer(self.sizes, self.dtype)
        for dst, src in zip(self.weights + self.biases, [*Ws, *bs], strict=True):
            dst[...] = src

    # ----------------------------------------------------------------- checks
    def check_X(self, X, name: str = "X") -> np.ndarray:
        """``X`` as a finite ``(M, n_0)`` array of the network's dtype, or a clear error."""
        return _validate.as_2d_float(name, X, self.dtype, columns=self.sizes[0])

    def check_Y(self, Y, M: int, name: str = "Y") -> np.ndarray:
        """Targets as an ``(M, n_L)`` array; integer labels are one-hot encoded for softmax."""
        return check_targets(name, Y, M, self.sizes[-1], self._loss, self.dtype)

    # ----------------------------------------------------------------- forward
    def forward(self, X) -> ForwardPass:
        r"""Run the forward pass, keeping every $z^l$ and $a^l$ (``X``: ``(M, n_0)``).

        In the book: Equations :eq:`eq-forward-z`, :eq:`eq-forward-a` and, for a batch,
        :eq:`eq-forward-batch`.
        """
        z, a = self._forward(self.check_X(X))
        return ForwardPass(z=Indexed(z[1:], 1), a=Indexed(a, 0))

    def _forward(self, X: np.ndarray) -> tuple:
        """``(z, a)``: plain lists in the book's indices (``z[0]`` is ``None``, ``a[0]`` is
        ``X``), the input already checked. Training runs this on every minibatch, so it builds
        no :class:`ForwardPass`."""
        W, b, sigma = [None, *self.weights], [None, *self.biases], self._sigma  # W[l] is W^l
        z, a = [None], [X]
        for l in range(1, self.L + 1):
            z.append(layers.dense_forward(a[l - 1], W[l], b[l])[0])  # z^l = W^l a^{l-1} + b^l
            a.append(layers.activation_forward(z[l], sigma[l])[0])  # a^l = sigma_l(z^l)
        return z, a

    def predict(self, X) -> np.ndarray:
        r"""The network's output $a^L$ for each row of ``X``: ``(M, n_0)`` -> ``(M, n_L)``."""
        return self.forward(X).a[self.L]

    def loss(self, X, Y) -> float:
        r"""The loss (mean over the M samples) of the outputs for ``X`` against targets ``Y``.

        In the book: the mean cost :eq:`eq-loss-mean`.
        """
        return float(np.mean(self.per_sample_loss(X, Y)))

    def per_sample_loss(self, X, Y) -> np.ndarray:
        """The loss $C_m$ of each sample, shape ``(M,)``."""
        X, Y = self._data(X, Y)
        z, a = self._forward(X)
        return self._loss.per_sample(z[self.L], a[self.L], Y)

    def _data(self, X, Y, names=("X", "Y")):
        X = self.check_X(X, names[0])
        return X, self.check_Y(Y, X.shape[0], names[1])

    # ----------------------------------------------------------------- backward
    def _backward(self, z: list, a: list, Y: np.ndarray, scale: float, out=None) -> tuple:
        r"""The one backward pass: ``(delta, dW, db)`` as lists for layers 1..L.

        $\delta^L$ from the loss record, then for $l = L, \dots, 1$ the layer pair backwards:
        :func:`~backprop.layers.dense_backward` gives $\partial C/\partial W^l$,
        $\partial C/\partial b^l$ and $(W^l)^{\mathsf T}\delta^l$,
        :func:`~backprop.layers.activation_backward` multiplies by $\sigma'(z^{l-1})$.
        ``scale`` multiplies $\delta^L$ and so, the recursion being linear, every $\delta^l$
        and every gradient: ``1/M`` gives the gradients of the mean loss (the training path),
        ``1`` the per-sample errors and summed gradients. ``out``: lists ``(dWs, dbs)`` of
        arrays to write the gradients into (training reuses one buffer). ``z``, ``a``: the
        lists of ``_forward``, ``z[l]`` is $z^l$ and ``a[l]`` is $a^l$.
        """
        L, W, sigma = self.L, [None, *self.weights], self._sigma  # W[l] is W^l
        gW, gb = ([None] * L, [None] * L) if out is None else out
        delta, dW, db = [None] * (L + 1), [None, *gW], [None, *gb]
        D = self._loss.delta(z[L], a[L], Y)  # delta^L  (eq-delta-output)
        if scale != 1.0:
            D *= scale
        for l in range(L, 0, -1):
            delta[l] = D
            grads = layers.dense_backward(D, (a[l - 1], W[l]), 1.0, l > 1, (dW[l], db[l]))
            dA, dW[l], db[l] = grads
            if l > 1:  # delta^{l-1} = ((W^l)^T delta^l) . sigma'(z^{l-1})  (eq-delta-recursion)
                D = layers.activation_backward(dA, (z[l - 1], a[l - 1], sigma[l - 1]))
        return delta[1:], dW[1:], db[1:]

    def _gradients(self, X: np.ndarray, Y: np.ndarray, out=None) -> tuple:
        """``(dW, db, (z, a))``: gradients of the mean loss and the forward pass's lists,
        inputs already checked.

        The path both :meth:`gradients` and :func:`backprop.train.fit` take (``out``: see
        ``_backward``).
        """
        z, a = self._forward(X)
        _, dW, db = self._backward(z, a, Y, scale=1.0 / X.shape[0], out=out)
        return dW, db, (z, a)

    def gradients(self, X, Y) -> tuple:
        r"""Gradients of :meth:`loss`: ``(dWs, dbs)``, lists shaped like ``weights`` and
        ``biases`` (``dWs[l-1]`` is $\partial C/\partial W^l$).

        In the book: Equations :eq:`eq-delta-output` to :eq:`eq-grad-W` for one example, and
        their batch forms :eq:`eq-mb-dW` and :eq:`eq-mb-db` for the mean over the rows.
        """
        dW, db, _ = self._gradients(*self._data(X, Y))
        return dW, db

    def backward(self, X, Y) -> BackwardPass:
        r"""Backpropagation on the batch ``(X, Y)``: per-sample deltas and mean gradients.

        The same pass as :meth:`gradients` with ``scale=1``, so that ``delta[l]`` holds the
        per-sample $\delta^l_m$; the gradient of the mean loss is then the sum over the rows
        divided by $M$ (:eq:`eq-mb-mean-gradient`).

        In the book: Equations :eq:`eq-delta-output`, :eq:`eq-delta-recursion`, :eq:`eq-grad-b`,
        :eq:`eq-grad-W`, and their batch forms :eq:`eq-mb-delta-L` to :eq:`eq-mb-db`.
        """
        X, Y = self._data(X, Y)
        z, a = self._forward(X)
        delta, dW, db = self._backward(z, a, Y, scale=1.0)
        M = X.shape[0]
        mean = [Indexed([g / M for g in grads], 1) for grads in (dW, db)]
        fp = ForwardPass(z=Indexed(z[1:], 1), a=Indexed(a, 0))
        return BackwardPass(Indexed(delta, 1), mean[0], mean[1], fp)

    def deltas(self, X, Y) -> Indexed:
        r"""Per-sample errors ``delta[l]`` $= \partial C_m/\partial z^l_m$ for l = 1..L.

        Each is an ``(M, n_l)`` array: row m is :math:`(\delta^l_m)^\mathsf{T}`.
        """
        return self.backward(X, Y).delta

    def local_jacobians(self, x) -> list:
        """The local Jacobians of every layer at one input ``x``: :func:`local_jacobians`."""
        return local_jacobians(self, x)

    # ----------------------------------------------------------------- training, persistence
    def fit(self, X, Y, *args, **kwargs) -> train.History:
        """Minibatch SGD; the arguments and the result are those of :func:`backprop.train.fit`."""
        return train.fit(self, X, Y, *args, **kwargs)

    def accuracy(self, X, y) -> float:
        """Fraction of rows classified correctly; see :func:`accuracy` for ``y``."""
        return accuracy(self.predict(X), y, self.output)

    def save(self, path) -> None:
        """Save settings and parameters to a ``.npz`` file (no pickle), see :mod:`backprop.io`."""
        io.write(path, self.settings(), self.weights, self.biases)

    def settings(self) -> dict:
        """The constructor arguments that rebuild this network (without its parameters)."""
        names = ("sizes", "hidden", "output", "loss", "dtype")
        values = (list(self.sizes), self.hidden, self.output, self.loss_name, self.dtype.name)
        return dict(zip(names, values))

    @classmethod
    def load(cls, path) -> Network:
        """A new network with the settings and parameters stored by :meth:`save`."""
        settings, Ws, bs = io.read(path)
        net = cls(**settings)
        net._pack(Ws, bs)
        return net

    def load_parameters(self, path) -> None:
        """Replace this network's parameters by those in ``path``; the sizes must match."""
        Ws, bs = io.read_parameters(path, self.sizes, self.dtype)
        for dst, src in zip(self.weights + self.biases, Ws + bs):
            dst[...] = src


def local_jacobians(net: Network, x) -> list:
    r"""The two local Jacobians of every layer at one input ``x`` of shape ``(n_0,)``.

    Returns a list, entry ``l-1`` for layer ``l``, of dicts with
    ``"dz_da_prev"`` $= \partial z^l/\partial a^{l-1} = W^l$ ``(n_l, n_{l-1})``,
    ``"da_dz"`` $= \partial a^l/\partial z^l$ ``(n_l, n_l)`` (diagonal $\operatorname{diag}
    \sigma'(z^l)$, or $\operatorname{diag}(a) - aa^{\mathsf T}$ for softmax), and
    ``"dz_dW"`` $= \partial z^l_i/\partial W^l_{jk} = [i=j]\,a^{l-1}_k$ as an array
    ``(n_l, n_l, n_{l-1})``.

    In the book: Equations :eq:`eq-bp-local-dz` and :eq:`eq-bp-local-dtheta`.
    """
    x = _validate.real_array("x", x)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must be one sample of shape ({net.sizes[0]},), got {x.shape}")
    fp = net.forward(x[None, :])
    out = []
    for l in range(1, net.L + 1):
        z, a, a_prev, act = fp.z[l][0], fp.a[l][0], fp.a[l - 1][0], net._sigma[l]
        if act.derivative is None:
            da_dz = activations.softmax_jacobian(a)
        else:
            da_dz = np.diag(act.derivative(z, a))
        dz_dW = np.einsum("ij,k->ijk", np.eye(net.sizes[l], dtype=net.dtype), a_prev)
        out.append({"dz_da_prev": net.W[l].copy(), "da_dz": da_dz, "dz_dW": dz_dW})
    return out


def checked_dtype(dtype):
    """``np.float32`` or ``np.float64`` as a NumPy dtype, or a ``TypeError``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt not in DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {_validate.got(dtype)}")
    return dt


def check_targets(name: str, Y, M: int, nL: int, loss: losses.Loss, dtype) -> np.ndarray:
    """Targets ``Y`` as a finite ``(M, nL)`` array fit for ``loss``, or a clear error.

    Integer labels ``(M,)`` are accepted (and one-hot encoded) for a softmax with
    cross-entropy only; cross-entropy targets must lie in [0, 1], softmax ones sum to 1.
    """
    labels_ok = (loss.output, loss.name) == ("softmax", "cross_entropy")
    expected = f"targets of shape ({M}, {nL})" + (f" or labels in 0..{nL - 1}" if labels_ok else "")
    Yarr = _validate.real_array(name, Y, expected)
    if Yarr.ndim == 1 and labels_ok:
        return one_hot(_validate.labels(name, Yarr, nL, rows=M), nL, dtype)
    if Yarr.ndim == 1:
        raise ValueError(
            f"{name} must have shape ({M}, {nL}), got {Yarr.shape}: a 1-D target would "
            f"broadcast silently, so pass {name}.reshape(-1, {nL}) (integer labels of shape "
            "(M,) are accepted only with a softmax output and cross_entropy)"
        )
    Yarr = _validate.as_2d_float(name, Yarr, dtype, columns=nL)
    if Yarr.shape[0] != M:
        raise ValueError(f"{name} must have shape ({M}, {nL}) to match X, got {Yarr.shape}")
    if loss.name == "cross_entropy":
        if Yarr.min() < 0 or Yarr.max() > 1:
            raise ValueError(
                f"{name} must lie in [0, 1] for cross_entropy, got values from {Yarr.min()} "
                f"to {Yarr.max()}"
            )
        sums = Yarr.sum(axis=1)
        if loss.output == "softmax" and not np.allclose(sums, 1.0, atol=1e-4):
            i = int(np.argmax(np.abs(sums - 1.0)))
            raise ValueError(
                f"{name} must be one-hot or probabilities summing to 1 per row for softmax "
                f"cross_entropy, got row {i} summing to {sums[i]}"
            )
    return Yarr


def one_hot(labels, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Integer labels ``(M,)`` in ``0..n_classes-1`` -> one-hot rows ``(M, n_classes)``."""
    n_classes = _validate.positive_int("n_classes", n_classes, _validate.MAX_LAYER_SIZE)
    labels = _validate.labels("labels", labels, n_classes)
    out = np.zeros((labels.shape[0], n_classes), dtype=checked_dtype(dtype))
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def accuracy(A: np.ndarray, y, output: str = "softmax") -> float:
    """Fraction of the rows of the outputs ``A`` ``(M, n_L)`` classified as ``y`` says.

    Several outputs: the class is the argmax of a row; ``y`` is integer labels ``(M,)`` in
    ``0..n_L-1`` or targets ``(M, n_L)`` (their argmax). One output: the class is
    ``a >= 0.5`` (``>= 0`` for an identity output); ``y`` is 0/1 integer labels or real targets
    of shape ``(M,)`` or ``(M, 1)``, the targets cut at the same threshold.
    """
    M, n = A.shape
    cut = 0.0 if output == "identity" else 0.5
    yarr = _validate.real_array("y", y, f"labels in 0..{max(n, 2) - 1} or targets {(M, n)}")
    if n == 1 and yarr.shape == (M, 1):
        yarr = yarr[:, 0]
    if yarr.ndim == 2 and yarr.shape == (M, n):
        truth = _validate.finite("y", yarr).argmax(axis=1)
    elif yarr.shape != (M,):
        raise ValueError(
            f"y must have shape ({M},) or {(M, n)} to match the outputs, got {yarr.shape}"
        )
    elif np.issubdtype(yarr.dtype, np.integer) or np.issubdtype(yarr.dtype, np.bool_):
        truth = _validate.labels("y", yarr.astype(np.int64), max(n, 2), M)
    elif n > 1:
        raise TypeError(f"y must be integer class labels in 0..{n - 1}, got dtype {yarr.dtype}")
    else:
        truth = _validate.finite("y", yarr) >= cut
    pred = A.argmax(axis=1) if n > 1 else A[:, 0] >= cut
    return float(np.mean(pred == truth))


def initial_parameters(sizes, hidden, init, seed, dtype) -> tuple:
    """Initial weights and biases (0-based lists) for the ``init`` scheme, see :class:`Network`."""
    rng = np.random.default_rng(seed)
    pairs = list(zip(sizes[:-1], sizes[1:]))  # (n_{l-1}, n_l) for l = 1..L
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        r = _validate.positive_float("init (uniform half-width)", init)
        Ws = [rng.uniform(-r, r, size=(n, m)) for m, n in pairs]
        bs = [rng.uniform(-r, r, size=n) for _, n in pairs]
    else:
        _validate.choice("init", init, ("auto", "glorot", "he"))
        scheme = ("he" if hidden == "relu" else "glorot") if init == "auto" else init
        Ws = [
            rng.normal(0.0, np.sqrt(2.0 / m), size=(n, m))
            if scheme == "he"
            else rng.uniform(-np.sqrt(6.0 / (m + n)), np.sqrt(6.0 / (m + n)), size=(n, m))
            for m, n in pairs
        ]
        bs = [np.zeros(n) for _, n in pairs]
    return [W.astype(dtype) for W in Ws], [b.astype(dtype) for b in bs]
