r"""The model behind the book's live figures: settings in, trained network and figure data out.

Nothing here draws or imports a widget library: :mod:`backprop.explore.widgets` is a thin layer of
controls and matplotlib over these functions, and the tests drive them without a display.

Two experiments:

* :func:`train` (chapter *Playground*): a softmax classifier on a 2-D data set of
  :mod:`backprop.datasets` or on the 8x8 digits. :class:`Result` holds the training and test
  loss per epoch, the accuracies, the decision regions on a grid, the confusion matrix, and the
  gradient norm $\lVert \partial C/\partial W^l \rVert_F$ of every layer over training.
* :func:`train_curve` (chapter *Gradient descent and minibatch SGD*): a small regression
  network whose loss curve shows what the learning rate, batch size and momentum do.

Both start every run from the same seeds, so equal settings give bit-identical results, and
both report a run whose loss blows up in words (:func:`diagnose`), never as NaN data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import numbers
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import _validate, datasets
from ..network import Network, one_hot
from ..train import History, check_settings, suggested_rate
from .glue import readable, superscript

DATASETS_2D = ("moons", "circles", "xor", "spirals")
DATASETS = DATASETS_2D + ("digits",)
ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
LOSSES = ("cross_entropy", "mse")
FEATURES = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}
"""The input features a 2-D run may feed the network (TensorFlow Playground's seven)."""
GROWTH = 2.0
"""A run *overshoots* when its training loss rises above ``GROWTH`` times its initial loss."""
LIMITS = {
    "n_samples": 100_000,
    "hidden_layers": 16,
    "neurons": 1024,
    "grid": 400,
    "hidden": 1024,
}
r"""Largest accepted value of each size setting of :class:`Settings` and :class:`CurveSettings`
that is not a training setting (those follow :func:`backprop.train.check_settings`).

A larger value is refused with a ``ValueError`` before anything is allocated (a grid of
$10^5 \times 10^5$ points would need 80 GB per class). The limits are far above what the
controls offer (grid 60, 500 samples, 64 neurons), so that code can still run bigger
experiments.
"""


# --------------------------------------------------------------------------- settings
def _text(name: str, value) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")


def _number(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")


def _bounded_int(name: str, value, low: int) -> int:
    """``value`` if it is an integer in ``[low, LIMITS[name]]`` (no upper limit for seeds)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    high = LIMITS.get(name)
    if value < low or (high is not None and value > high):
        expected = f">= {low}" if high is None else f"in [{low}, {high:,}]"
        raise ValueError(f"{name} must be an integer {expected}, got {value}")
    return int(value)


def _replace(settings, changes: dict):
    """``dataclasses.replace`` that names an unknown field and lists the known ones."""
    names = [f.name for f in dataclasses.fields(settings)]
    unknown = sorted(set(changes) - set(names))
    if unknown:
        raise TypeError(
            f"{type(settings).__name__} has no setting {', '.join(map(repr, unknown))}; "
            f"the settings are {names}"
        )
    return dataclasses.replace(settings, **changes)


def as_settings(settings, kind=None):
    """``settings`` as a :class:`Settings` (or ``kind``): ``None`` gives the defaults.

    A mapping such as ``{"learning_rate": 3.0}`` is accepted and means the defaults with
    those fields changed (each checked as in the constructor); anything else is a
    ``TypeError`` that names what came.
    """
    kind = Settings if kind is None else kind
    if settings is None:
        return kind()
    if isinstance(settings, kind):
        return settings
    if isinstance(settings, Mapping):
        bad = [k for k in settings if not isinstance(k, str)]
        if bad:
            raise TypeError(f"settings keys must be field names (strings), got {bad!r}")
        return _replace(kind(), dict(settings))
    raise TypeError(
        f"settings must be a {kind.__name__}, a mapping of its fields, or None; got "
        f"{type(settings).__name__}"
    )


@dataclass(frozen=True)
class Settings:
    """Everything one playground run depends on (one field per control).

    ``dataset``: one of ``backprop.datasets.DATASETS``; ``classes``: 2, or 3 for ``"spirals"``;
    ``n_samples``: points of a 2-D data set (the digits have 1,797); ``noise``: standard
    deviation of the data set's noise (for the digits: Gaussian noise added to the pixels,
    which lie in [0, 1]); ``test_fraction``: share of the samples held out for testing;
    ``hidden_layers`` x ``neurons``: the hidden layers; ``activation``: their $\\sigma$;
    ``loss``: ``"cross_entropy"`` or ``"mse"`` (after a softmax output layer either way);
    ``learning_rate`` ($\\eta$), ``batch_size``, ``epochs``, ``l2`` (weight decay $\\lambda$,
    :eq:`eq-pg-l2`), ``l1`` (the L1 soft threshold's $\\lambda$, :eq:`eq-pg-l1`), ``momentum``
    ($\\mu$): passed to :meth:`backprop.Network.fit`; ``seed``: initial weights and minibatch
    order; ``data_seed``: the data set's noise and the train/test split; ``grid``: resolution
    of the decision-region grid; ``features``: the inputs computed from the point
    $(x_1, x_2)$ (keys of :data:`FEATURES`; ignored for the digits), so $n_0$ = their number.
    """

    dataset: str = "moons"
    classes: int = 2
    n_samples: int = 200
    noise: float = 0.2
    test_fraction: float = 0.3
    hidden_layers: int = 2
    neurons: int = 8
    activation: str = "tanh"
    loss: str = "cross_entropy"
    learning_rate: float = 0.3
    batch_size: int = 16
    epochs: int = 100
    l2: float = 0.0
    momentum: float = 0.0
    seed: int = 0
    data_seed: int = 0
    grid: int = 60
    features: tuple = ("x1", "x2")
    l1: float = 0.0

    def __post_init__(self):
        # Every field is checked here, once; train() then passes the checked values on.
        for name in ("dataset", "activation", "loss"):
            _text(name, getattr(self, name))
        _validate.choice("dataset", self.dataset, DATASETS)
        _validate.choice("activation", self.activation, ACTIVATIONS)
        _validate.choice("loss", self.loss, LOSSES)
        # The training settings have one rule, the one Network.fit applies.
        check_settings(
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            seed=self.seed,
            l2=self.l2,
            l1=self.l1,
        )
        for name in ("n_samples", "neurons", "grid"):
            _bounded_int(name, getattr(self, name), 1)
        for name in ("hidden_layers", "classes"):
            _bounded_int(name, getattr(self, name), 0)
        _validate.seed("data_seed", self.data_seed)
        if self.classes not in (2, 3) or (self.classes == 3 and self.dataset != "spirals"):
            raise ValueError(
                f"classes must be 2 (or 3 for the spirals), got {self.classes!r} "
                f"for dataset {self.dataset!r}"
            )
        _number("test_fraction", self.test_fraction)
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction must lie in (0, 1), got {self.test_fraction}")
        _validate.nonnegative_float("noise", self.noise)
        if isinstance(self.features, str):
            raise TypeError(
                f"features must be a tuple of names such as ('x1', 'x2'), got the string "
                f"{self.features!r}"
            )
        try:
            features = tuple(self.features)
        except TypeError:
            raise TypeError(f"features must be a tuple of names, got {self.features!r}") from None
        unknown = [f for f in features if not isinstance(f, str) or f not in FEATURES]
        if not features or unknown or len(set(features)) != len(features):
            raise ValueError(
                f"features must be distinct names from {tuple(FEATURES)}, at least one, "
                f"got {self.features!r}"
            )
        object.__setattr__(self, "features", features)

    def replace(self, **changes) -> Settings:
        """A copy with some fields changed (validated like a new instance)."""
        return _replace(self, changes)

    @property
    def n_classes(self) -> int:
        """Number of output neurons $n_L$."""
        return 10 if self.dataset == "digits" else self.classes

    @property
    def sizes(self) -> tuple:
        """The network's layer sizes $[n_0, n_1, \\dots, n_L]$."""
        n0 = 64 if self.dataset == "digits" else len(self.features)
        return (n0,) + (self.neurons,) * self.hidden_layers + (self.n_classes,)


DIGITS_DEFAULTS = Settings(
    dataset="digits",
    noise=0.0,
    test_fraction=0.25,
    hidden_layers=1,
    neurons=32,
    learning_rate=0.5,
    batch_size=32,
    epochs=20,
)
"""The digits playground's defaults, one hidden layer of 32 neurons, learning rate 0.5, batch
32, 20 epochs, a quarter of the 1,797 images held out (about 97 % test accuracy in a fraction of
a second), no pixel noise. The fields of the 2-D data sets (``classes``, ``n_samples``,
``grid``, ``features``) do not apply to the digits and are ignored."""


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Data:
    """A train/test split: ``X_*`` ``(M, n_0)`` float64, ``y_*`` ``(M,)`` int labels."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=32)
def _data(dataset, classes, n, noise, test_fraction, seed) -> Data:
    if dataset == "digits":
        X_tr, X_te, y_tr, y_te = datasets.digits(test_fraction, seed)
        if noise > 0:
            rng = np.random.default_rng(seed)
            X_tr = np.clip(X_tr + noise * rng.standard_normal(X_tr.shape), 0.0, 1.0)
            X_te = np.clip(X_te + noise * rng.standard_normal(X_te.shape), 0.0, 1.0)
    else:
        if dataset == "spirals":
            X, y = datasets.spirals(n, classes=classes, noise=noise, seed=seed)
        else:
            X, y = datasets.DATASETS[dataset](n, noise=noise, seed=seed)
        X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_fraction, seed)
    arrays = [np.array(a) for a in (X_tr, X_te, y_tr, y_te)]
    for a in arrays:
        a.flags.writeable = False  # shared by the cache: nobody may change them
    return Data(*arrays)


def feature_map(X: np.ndarray, features) -> np.ndarray:
    """The network's inputs for points ``X`` ``(M, 2)``: one column per feature, ``(M, n_0)``."""
    return np.column_stack([FEATURES[f](X) for f in features])


def make_data(settings: Settings) -> Data:
    """The train/test data of ``settings`` (cached: the same settings give the same arrays)."""
    return _data(
        settings.dataset,
        settings.classes,
        settings.n_samples,
        float(settings.noise),
        float(settings.test_fraction),
        settings.data_seed,
    )


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Boundary:
    """Class probabilities of the trained network on a ``G x G`` grid.

    ``xs``, ``ys``: ``(G,)`` grid coordinates; ``proba``: ``(G, G, K)`` with
    ``proba[i, j]`` $= a^L$ at the point ``(xs[j], ys[i])``; ``labels``: ``(G, G)`` argmax.
    """

    xs: np.ndarray
    ys: np.ndarray
    proba: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Result:
    """One trained playground run and everything its figure shows.

    ``train_loss``, ``test_loss``: ``(E + 1,)`` data loss before training (entry 0) and after
    each completed epoch; ``grad_norms``: ``(E + 1, L)``, entry ``[e, l - 1]`` is
    $\\lVert \\partial C/\\partial W^l \\rVert_F$ on the whole training set after epoch ``e``;
    ``test_accuracies``: ``(E + 1,)`` share of the test points classified correctly, before
    training (entry 0) and after each completed epoch (the last is ``test_accuracy``);
    ``confusion``: ``(K, K)`` counts on the test set, row = true class, column = predicted;
    ``misclassified``: indices into ``data.X_test``; ``boundary``: ``None`` for the digits;
    ``status``: ``"ok"``, ``"overshoot"`` or ``"diverged"``, explained by ``message``;
    ``notes``: remarks on vanishing or exploding gradients.
    """

    settings: Settings
    net: Network
    history: History
    data: Data
    train_loss: np.ndarray
    test_loss: np.ndarray
    grad_norms: np.ndarray
    train_accuracy: float
    test_accuracy: float
    test_accuracies: np.ndarray
    confusion: np.ndarray
    misclassified: np.ndarray
    boundary: Boundary | None
    status: str
    message: str
    notes: tuple
    seconds: float

    @property
    def epochs(self) -> np.ndarray:
        """The epoch of each entry of the curves, ``0 .. E``."""
        return np.arange(len(self.train_loss))

    def recent_accuracy(self, n: int = 10) -> tuple:
        """``(mean, lowest, highest)`` test accuracy after the last ``n`` epochs (all of them
        if fewer ran). Minibatch steps at a constant learning rate keep the weights moving, so
        the accuracy of one epoch is a noisy sample; these three say what the run supports."""
        if not (isinstance(n, int) and n >= 1):
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        curve = self.test_accuracies  # entry 0 is before training: not a result of the run
        recent = curve[max(1, len(curve) - n) :] if len(curve) > 1 else curve
        return float(recent.mean()), float(recent.min()), float(recent.max())

    @property
    def text(self) -> str:
        """The status line shown under the figure: message plus notes."""
        return " ".join((self.message,) + tuple(self.notes))


def plural(n: int, noun: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``: a count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def layer_gradient_norms(net: Network, X, Y) -> np.ndarray:
    r"""$\lVert \partial C/\partial W^l \rVert_F$ for l = 1..L on ``(X, Y)``; shape ``(L,)``."""
    with np.errstate(over="ignore", invalid="ignore"):
        dWs, _ = net.gradients(X, Y)
        return np.array([np.sqrt(np.sum(dW * dW)) for dW in dWs])


def diagnose(history: History, losses, learning_rate: float) -> tuple:
    """``(status, message)`` for a run whose data loss was ``losses`` (entry 0 before training).

    ``"diverged"``: :func:`backprop.train.fit` stopped because the loss became NaN or infinite
    (its ``history.message`` explains). ``"overshoot"``: the loss stayed finite but rose above
    :data:`GROWTH` times its initial value. ``"ok"`` otherwise.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if history.diverged:
        return "diverged", history.message
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        growth = losses / losses[0] if losses[0] > 0 else np.ones_like(losses)
    worst = int(np.argmax(growth))
    if growth[worst] > GROWTH:
        first = int(np.argmax(growth > GROWTH))
        return "overshoot", (
            f"The step overshoots: the training loss grew by a factor {growth[worst]:.3g} at "
            f"epoch {worst} (from {losses[0]:.3g} before training to {losses[worst]:.3g}; it "
            f"first exceeded {GROWTH:g} times its start at epoch {first}). Try a learning rate "
            f"below {suggested_rate(learning_rate):g} (it was {learning_rate:g})."
        )
    return "ok", ""


def weight_symbol(l: int) -> str:
    """$W^l$ in words a reader sees: ``W`` and the layer index as superscript digits (``W¹``)."""
    return "W" + superscript(l)


def gradient_notes(grad_norms: np.ndarray) -> tuple:
    """Words for vanishing or exploding gradients (read off the first epoch's norms) and for
    layers whose gradient is exactly zero at the end (dead units: a log axis cannot draw it)."""
    notes = ()
    final = grad_norms[-1]
    dead = [l for l in range(final.size) if final[l] == 0 and np.all(np.isfinite(final))]
    if dead:
        since = min(
            int(np.flatnonzero(np.any(grad_norms[:, dead] != 0, axis=1)).max(initial=-1)) + 1,
            len(grad_norms) - 1,
        )
        names = ", ".join(weight_symbol(l + 1) for l in dead)
        notes += (
            f"Dead units: from epoch {since} on the gradient of {names} is exactly zero. Units "
            f"that output 0 with slope 0 on every sample (ReLUs pushed below 0) pass no error "
            f"back, so these weights no longer learn. Try a smaller learning rate or more "
            f"neurons.",
        )
    norms = grad_norms[0]
    if norms.size < 2 or not np.all(np.isfinite(norms)) or norms[-1] == 0:
        return notes
    ratio = norms[0] / norms[-1]
    L = norms.size
    if ratio < 1e-2:
        return notes + (
            f"Vanishing gradients: at the start the gradient of {weight_symbol(1)} is {ratio:.1e} "
            f"times that of {weight_symbol(L)}, so the first layer barely learns.",
        )
    if ratio > 1e2:
        return notes + (
            f"Exploding gradients: at the start the gradient of {weight_symbol(1)} is {ratio:.1e} "
            f"times that of {weight_symbol(L)}.",
        )
    return notes


def l1_notes(weights, l1: float, learning_rate: float) -> tuple:
    """Words for the weights that L1 regularisation set to exactly zero (none without L1).

    When every weight of a layer is zero, no error passes back through it and the network
    predicts one value everywhere: the threshold $\\eta\\lambda$ (:eq:`eq-pg-l1`) is larger
    than the gradient's pull, and the words say so.
    """
    if not l1:
        return ()
    zero = [l for l, W in enumerate(weights, start=1) if not np.any(W)]
    if zero:
        layers = f"layer {zero[0]}" if len(zero) == 1 else "layers " + ", ".join(map(str, zero))
        return (
            f"L1 set every weight of {layers} to exactly 0: each step moves a weight "
            f"ηλ = {learning_rate * l1:.3g} towards 0, more than the gradient pulls back, so no "
            f"error passes back and the network predicts the same for every point. Try a "
            f"smaller λ.",
        )
    n_zero = sum(int(np.count_nonzero(W == 0)) for W in weights)
    return (f"L1 set {n_zero} of {sum(W.size for W in weights)} weights to exactly 0.",)


def _notes(net: Network, s: Settings, grad_norms: np.ndarray) -> tuple:
    """The L1 words, then those on the gradients; a layer of zero weights, not dead units,
    is then why the layers below it get no gradient, so the dead-unit words are left out."""
    notes = gradient_notes(grad_norms)
    if s.l1 and not all(np.any(W) for W in net.weights):
        notes = tuple(n for n in notes if not n.startswith("Dead units"))
    return l1_notes(net.weights, s.l1, s.learning_rate) + notes


def _boundary(net: Network, data: Data, G: int, features) -> Boundary:
    X = np.concatenate([data.X_train, data.X_test])
    lo, hi = X.min(axis=0) - 0.4, X.max(axis=0) + 0.4
    xs, ys = np.linspace(lo[0], hi[0], G), np.linspace(lo[1], hi[1], G)
    XX, YY = np.meshgrid(xs, ys)
    with np.errstate(over="ignore", invalid="ignore"):
        grid = feature_map(np.c_[XX.ravel(), YY.ravel()], features)
        proba = net.predict(grid).reshape(G, G, -1)
    proba = np.nan_to_num(proba, nan=1.0 / proba.shape[-1])
    return Boundary(xs, ys, proba, proba.argmax(axis=-1))


def confusion_matrix(y_true, y_pred, k: int) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as ``j``; ``(k, k)`` int."""
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return C


def one_blas_thread():
    """A context in which NumPy's BLAS uses one thread (if threadpoolctl is installed).

    The playground's matrices are tiny: a second BLAS thread only adds synchronisation, and on
    a busy machine it can make a run several times slower (measured: digits 0.09 s with one
    thread, 0.4-1.1 s with two while another process was running). Entering costs ~0.2 ms.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it NumPy keeps its own thread count
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def train(settings: Settings | Mapping | None = None, progress=None) -> Result:
    """Build the data and network of ``settings``, train it, and collect the figure data.

    ``settings``: a :class:`Settings`, a mapping of some of its fields (the others keep their
    defaults) or ``None`` (the defaults); see :func:`as_settings`. ``progress(epoch, epochs)``,
    if given, is called after every epoch (for a progress bar); if it returns ``False`` the
    training stops there (``result.history.stopped_early``), which is how a live widget
    cancels a run that a newer setting has made obsolete.
    """
    s = as_settings(settings)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _train(s, progress)


def _train(s: Settings, progress) -> Result:
    start = time.perf_counter()
    data = make_data(s)
    k = s.n_classes
    if s.dataset == "digits":
        X_train, X_test = data.X_train, data.X_test
    else:
        X_train, X_test = (
            feature_map(data.X_train, s.features),
            feature_map(data.X_test, s.features),
        )
    net = Network(list(s.sizes), hidden=s.activation, output="softmax", loss=s.loss, seed=s.seed)
    Y_train, Y_test = one_hot(data.y_train, k), one_hot(data.y_test, k)
    norms = [layer_gradient_norms(net, X_train, Y_train)]
    first = (net.loss(X_train, Y_train), net.loss(X_test, Y_test))
    accuracies = [net.accuracy(X_test, data.y_test)]

    def callback(epoch, net, history):
        norms.append(layer_gradient_norms(net, X_train, Y_train))
        accuracies.append(net.accuracy(X_test, data.y_test))
        if progress is not None:
            return progress(epoch, s.epochs)

    history = net.fit(
        X_train,
        Y_train,
        epochs=s.epochs,
        batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        momentum=s.momentum,
        seed=s.seed,
        callback=callback,
        l2=s.l2,
        l1=s.l1,
        validation=(X_test, Y_test),
    )
    train_loss = np.array([first[0], *history.loss])
    test_loss = np.array([first[1], *history.validation_loss])
    with np.errstate(over="ignore", invalid="ignore"):
        pred = net.predict(X_test).argmax(axis=1)
    test_accuracy = float(np.mean(pred == data.y_test))
    status, message = diagnose(history, train_loss, s.learning_rate)
    grad_norms = np.array(norms)
    if status == "ok":
        message = (
            f"Trained {plural(history.epochs_run, 'epoch')} in "
            f"{time.perf_counter() - start:.2f} s: "
            f"training loss {train_loss[0]:.3g} → {train_loss[-1]:.3g}, test accuracy "
            f"{100 * test_accuracy:.1f} %."
        )
    return Result(
        settings=s,
        net=net,
        history=history,
        data=data,
        train_loss=train_loss,
        test_loss=test_loss,
        grad_norms=grad_norms,
        train_accuracy=net.accuracy(X_train, data.y_train),
        test_accuracy=test_accuracy,
        test_accuracies=np.array(accuracies[: history.epochs_run + 1]),
        confusion=confusion_matrix(data.y_test, pred, k),
        misclassified=np.flatnonzero(pred != data.y_test),
        boundary=None if s.dataset == "digits" else _boundary(net, data, s.grid, s.features),
        status=status,
        message=message,
        notes=_notes(net, s, grad_norms),
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------- loss curves
@dataclass(frozen=True)
class CurveSettings:
    r"""One run of the gradient-descent chapter's experiment.

    A ``[1, hidden, 1]`` tanh network with a linear output fits $y = \sin(\pi x) +$ noise on
    ``n_samples`` points of $[-1, 1]$ with the squared error, by :meth:`Network.fit`.
    """

    learning_rate: float = 0.1
    batch_size: int = 8
    momentum: float = 0.0
    epochs: int = 60
    seed: int = 0
    n_samples: int = 64
    hidden: int = 16
    noise: float = 0.1

    def __post_init__(self):
        check_settings(
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            seed=self.seed,
        )
        for name in ("n_samples", "hidden"):
            _bounded_int(name, getattr(self, name), 1)
        _validate.nonnegative_float("noise", self.noise)

    def replace(self, **changes) -> CurveSettings:
        """A copy with some fields changed (validated like a new instance)."""
        return _replace(self, changes)


@dataclass(frozen=True)
class CurveResult:
    """``loss``: ``(E + 1,)`` training loss before training and after each completed epoch;
    ``updates``: the number of parameter updates made by then; ``status`` and ``message``
    as in :func:`diagnose`."""

    settings: CurveSettings
    net: Network
    history: History
    loss: np.ndarray
    updates: np.ndarray
    status: str
    message: str

    @property
    def epochs(self) -> np.ndarray:
        """The epoch of each entry of ``loss``, ``0 .. E``."""
        return np.arange(len(self.loss))

    @property
    def label(self) -> str:
        """A short legend entry: rate, batch size, momentum."""
        s = self.settings
        mu = f", μ={s.momentum:g}" if s.momentum else ""
        return f"η={s.learning_rate:.3g}, B={s.batch_size}{mu}"


def regression_data(n: int = 64, noise: float = 0.1, seed: int = 0):
    r"""``X`` ``(n, 1)`` uniform on $[-1, 1]$ (sorted) and ``Y`` $= \sin(\pi X) +$ noise."""
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(-1.0, 1.0, size=(n, 1)), axis=0)
    return X, np.sin(np.pi * X) + noise * rng.standard_normal((n, 1))


def train_curve(settings: CurveSettings | Mapping | None = None, progress=None) -> CurveResult:
    """Train the regression network of ``settings`` and return its loss curve.

    ``settings`` and ``progress`` as in :func:`train` (a mapping changes some defaults of
    :class:`CurveSettings`; ``progress`` returning ``False`` stops the run).
    """
    s = as_settings(settings, CurveSettings)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    X, Y = regression_data(s.n_samples, s.noise, s.seed)
    net = Network([1, s.hidden, 1], hidden="tanh", output="identity", loss="mse", seed=s.seed)
    first = net.loss(X, Y)

    def callback(epoch, net, history):
        if progress is not None:
            return progress(epoch, s.epochs)

    history = net.fit(
        X,
        Y,
        epochs=s.epochs,
        batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        momentum=s.momentum,
        seed=s.seed,
        callback=callback,
    )
    loss = np.array([first, *history.loss])
    steps_per_epoch = -(-s.n_samples // min(s.batch_size, s.n_samples))
    status, message = diagnose(history, loss, s.learning_rate)
    if status == "ok":
        message = (
            f"{plural(history.epochs_run, 'epoch')} of {plural(steps_per_epoch, 'update')} "
            f"each: loss {loss[0]:.3g} -> {loss[-1]:.3g}."
        )
    return CurveResult(
        s, net, history, loss, np.arange(len(loss)) * steps_per_epoch, status, message
    )


RISE = 1.5
"""A curve whose loss climbs to ``RISE`` times an earlier value is not called converging."""

WOBBLE = 0.02
"""A rise of the loss from one epoch to the next by less than this fraction is minibatch noise,
not an oscillation: on a log axis it is a bump the eye barely sees (the explorer's default run
has a dozen such bumps and falls steadily)."""


def factor_words(factor: float) -> str:
    """How many times its start the loss rose to: ``2.5``, ``3,400``; from a million on only
    the power of ten, ``more than 10²⁸⁸``: by then the run is chaotic and its digits are
    rounding noise (the twin computes another mantissa from the same settings)."""
    if factor < 1e6:
        return readable(factor, 2)
    return "more than 10" + superscript(np.floor(np.log10(factor)))


def growth(result: CurveResult) -> float:
    """Largest training loss of the run over its initial loss (finite values only)."""
    loss = result.loss[np.isfinite(result.loss)]
    return float(loss.max() / loss[0]) if loss.size and loss[0] > 0 else 1.0


def largest_rise(loss) -> tuple:
    """``(factor, i, j)``: the largest ``loss[j] / loss[i]`` with ``i < j`` (finite entries).

    The loss climbed by ``factor`` from epoch ``i`` to epoch ``j``; ``(1.0, 0, 0)`` when it
    never rose.
    """
    loss = np.asarray(loss, dtype=np.float64)
    best, best_i, best_j = 1.0, 0, 0
    low, low_i = np.inf, 0
    for j, value in enumerate(loss):
        if not np.isfinite(value) or value <= 0:
            continue
        if low < np.inf and value / low > best:
            best, best_i, best_j = value / low, low_i, j
        if value < low:
            low, low_i = value, j
    return float(best), best_i, best_j


def headline(result: CurveResult) -> str:
    """One sentence about a loss curve: converging, unstable, overshooting or diverged.

    A run is *converging* only if its loss never climbed to :data:`RISE` times an earlier
    value and rose, by more than :data:`WOBBLE` of its value, in at most a fifth of its
    epochs; otherwise the words say how far it rose and between which epochs, or that it
    oscillates. Numbers are written by :func:`~backprop.explore.glue.readable` (``2,360``,
    ``5.6 × 10²⁸⁸``). The page's twin (``headline`` in ``twin/descent.js``) states the same rule
    and the tests compare its sentence with this one over every rate of the explorer.
    """
    s, loss = result.settings, result.loss
    try_rate = f"try a learning rate below {readable(suggested_rate(s.learning_rate), 1)}"
    if result.status == "diverged":
        e = result.history.diverged_epoch
        if len(loss) > 1 and growth(result) > 1:
            grew = (
                f"the loss rose to {factor_words(growth(result))} times its starting value, "
                f"then overflowed"
            )
        else:
            grew = "the loss overflowed within that epoch"
        return f"Diverged at epoch {e}: {grew}; {try_rate}."
    if result.status == "overshoot":
        worst = int(np.argmax(loss))
        return (
            f"Overshooting: by epoch {worst} the loss rose to {factor_words(growth(result))} "
            f"times its start; {try_rate}."
        )
    done = (
        f"loss {readable(loss[0])} \u2192 {readable(loss[-1])} in {plural(len(loss) - 1, 'epoch')} "
        f"({plural(int(result.updates[-1]), 'update')})"
    )
    rise, i, j = largest_rise(loss)
    if rise >= RISE:
        return (
            f"Unstable: the loss rose {readable(rise)}\u00d7 on the way (from epoch {i} to epoch "
            f"{j}), {done}; a smaller learning rate{' or momentum' if s.momentum else ''} "
            f"would descend more steadily."
        )
    # a curve that goes up (beyond noise) in more than a fifth of its epochs is not converging
    if np.count_nonzero(loss[1:] > (1 + WOBBLE) * loss[:-1]) > (len(loss) - 1) / 5:
        return f"Decreasing, but oscillating: {done}."
    return f"Converging: {done}."
