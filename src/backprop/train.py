r"""Minibatch stochastic gradient descent with optional momentum.

One step on a minibatch $B$ of size $|B|$ (chapter *Gradient descent and minibatch SGD*):

$$v \leftarrow \mu v - \eta \nabla_\theta C_B(\theta), \qquad \theta \leftarrow \theta + v,$$

with $C_B$ the mean loss over the batch, learning rate $\eta > 0$ and momentum
$\mu \in [0, 1)$ ($\mu = 0$ is plain SGD). Weight decay (``l2``) adds $\lambda_2 W^l$ to the
gradient of each weight matrix; L1 regularisation (``l1``) follows the step with a soft
threshold (:func:`shrink`), which stops a weight at zero instead of pushing it across.

Each epoch visits every sample once, in an order drawn without replacement from a generator
seeded by ``seed`` (:func:`minibatches`): the same seed gives bit-identical weights. The
pieces are public so that a chapter can run the loop by hand: :func:`check_settings`,
:func:`minibatches`, :func:`update`, :func:`shrink`, :func:`sgd_step`.

This module does not import :mod:`backprop.network` (no import circle): ``net`` is any object
with the :class:`~backprop.Network` methods used here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate
from .layers import parameter_buffer

#: Most epochs one call of :func:`fit` runs.
MAX_EPOCHS = 1_000_000
#: Above this many bytes of data, :func:`minibatches` gathers each batch from the shuffled
#: order instead of copying the whole data set once per epoch (the same batches either way).
GATHER_PER_BATCH = 4 * 2**20


@dataclass
class History:
    """What :func:`fit` did.

    ``loss[e]``: training loss after epoch ``e + 1`` (``evaluate=True``: the loss of the whole
    training set with the weights at the end of the epoch; ``evaluate=False``: the mean of the
    minibatch losses seen during the epoch). ``validation_loss``: same for the validation
    data, if given. ``diverged``: training stopped because the loss became NaN or infinite;
    the network then holds the weights from before the epoch that diverged, ``diverged_epoch``
    is that epoch (1-based) and ``message`` says what happened in words.
    """

    loss: list = field(default_factory=list)
    validation_loss: list = field(default_factory=list)
    diverged: bool = False
    diverged_epoch: int | None = None
    stopped_early: bool = False
    message: str = ""
    learning_rate: float = 0.0

    @property
    def epochs_run(self) -> int:
        """Number of completed epochs whose loss is in ``loss``."""
        return len(self.loss)


def check_settings(
    epochs=100,
    batch_size=32,
    learning_rate=0.1,
    momentum=0.0,
    seed=0,
    l2=0.0,
    evaluate=True,
    callback=None,
    l1=0.0,
) -> dict:
    """Every training setting of :func:`fit`, checked once: a dict of the normalised values.

    ``epochs`` and ``batch_size`` integers >= 1 (``epochs`` at most :data:`MAX_EPOCHS`),
    ``learning_rate`` > 0, ``momentum`` in [0, 1), ``l2`` and ``l1`` >= 0, ``seed`` an integer >= 0,
    ``evaluate`` a bool, ``callback`` callable or ``None``. The playground calls this too, so a
    setting has one rule wherever it is entered.
    """
    if not isinstance(evaluate, (bool, np.bool_)):
        raise TypeError(f"evaluate must be True or False, got {_validate.got(evaluate)}")
    return {
        "epochs": _validate.positive_int("epochs", epochs, MAX_EPOCHS),
        "batch_size": _validate.positive_int("batch_size", batch_size),
        "learning_rate": _validate.positive_float("learning_rate", learning_rate),
        "momentum": _validate.nonnegative_float("momentum", momentum, upper=1.0),
        "seed": _validate.seed("seed", seed),
        "l2": _validate.nonnegative_float("l2", l2),
        "l1": _validate.nonnegative_float("l1", l1),
        "evaluate": bool(evaluate),
        "callback": _validate.callable_or_none("callback", callback),
    }


def minibatches(X, Y, batch_size: int, rng):
    r"""One epoch of minibatches: yields ``(Xb, Yb)``, consecutive slices of a shuffled copy.

    The order is ``rng.permutation(M)``, drawn without replacement, so every row is used once
    per epoch; there are $\lceil M/B \rceil$ batches of ``batch_size`` rows, the last possibly
    smaller (:eq:`eq-gd-steps`). :func:`fit` draws its batches from exactly this generator
    with ``rng = np.random.default_rng(seed)``, one call per epoch.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {_validate.got(rng)}")
    batch_size = _validate.positive_int("batch_size", batch_size)
    M = len(X)
    if len(Y) != M:
        raise ValueError(f"Y must have one row per row of X ({M}), got {len(Y)}")
    order = rng.permutation(M)
    # np.take(X, rows, axis=0) is X[rows]; for rows of a few numbers it is ten times faster.
    if X.nbytes + Y.nbytes <= GATHER_PER_BATCH:  # one shuffled copy, each batch then a view
        X_epoch, Y_epoch = np.take(X, order, axis=0), np.take(Y, order, axis=0)
        for start in range(0, M, batch_size):
            yield X_epoch[start : start + batch_size], Y_epoch[start : start + batch_size]
    else:  # large data: gather each batch just before it is used, while it is in the cache
        for start in range(0, M, batch_size):
            rows = order[start : start + batch_size]
            yield np.take(X, rows, axis=0), np.take(Y, rows, axis=0)


def shrink(theta, threshold: float) -> None:
    r"""Soft thresholding in place, entrywise:
    $\theta \leftarrow \operatorname{sign}(\theta)\,\max(\lvert\theta\rvert - t, 0)$ with
    $t$ = ``threshold`` >= 0 (:eq:`eq-pg-l1`).

    An entry of size at most $t$ becomes exactly 0 (its sign may read ``-0.0``); a larger one
    moves $t$ towards 0 and keeps its sign. This is the proximal step of $t\lvert\theta\rvert$:
    it minimises $\tfrac12(w - \theta)^2 + t\lvert w\rvert$ over $w$.
    """
    # |theta| - t, clipped at 0, with the sign of theta  (eq-pg-l1)
    np.copysign(np.maximum(np.abs(theta) - threshold, 0.0), theta, out=theta)


def update(theta, grad, learning_rate, momentum=0.0, velocity=None, l2=0.0, l1=0.0) -> None:
    r"""One gradient step on one parameter array ``theta``, in place (``grad`` is not changed).

    With ``l2`` $= \lambda_2 > 0$ the gradient of $\tfrac{\lambda_2}2\lVert\theta\rVert^2$ is
    added first, $g = \partial C/\partial\theta + \lambda_2\theta$ (:eq:`eq-pg-l2`); without
    ``velocity`` the step is $\theta' = \theta - \eta g$ (:eq:`eq-gd-update`), with it
    $v \leftarrow \mu v - \eta g,\ \theta' = \theta + v$ (:eq:`eq-gd-momentum`), and
    $\theta \leftarrow \theta'$. With ``l1`` $= \lambda_1 > 0$ the step is followed by
    :func:`shrink` with threshold $\eta\lambda_1$ (:eq:`eq-pg-l1`):
    $\theta \leftarrow \operatorname{sign}(\theta')\max(\lvert\theta'\rvert - \eta\lambda_1, 0)$.
    This is the proximal gradient step of the cost plus $\lambda_1\lVert\theta\rVert_1$: a
    weight that would cross zero stops at zero. The velocity keeps the step it took
    ($v$ is not changed by the threshold), so momentum carries the gradient of the smooth
    part of the cost only; $\lambda_1$ never enters $v$.
    """
    if l2:
        grad = grad + l2 * theta  # g = dC/dW + lambda W  (eq-pg-l2)
    if velocity is None:
        theta -= learning_rate * grad  # theta <- theta - eta g  (eq-gd-update)
    else:
        velocity *= momentum  # v <- mu v - eta g  (eq-gd-momentum)
        velocity -= learning_rate * grad
        theta += velocity  # theta <- theta + v  (eq-gd-momentum)
    if l1:
        shrink(theta, learning_rate * l1)  # sign(theta) max(|theta| - eta lambda, 0)  (eq-pg-l1)


def sgd_step(net, dW, db, learning_rate, momentum=0.0, velocity=None, l2=0.0, l1=0.0) -> None:
    """One step on every parameter of ``net`` in place: :func:`update` for each $W^l$, $b^l$.

    ``dW``, ``db``: gradients shaped like ``net.weights``/``net.biases``; ``velocity``:
    ``None`` (plain SGD) or a pair of such lists, updated in place; ``l2`` and ``l1``
    regularise the weights only, not the biases.
    """
    for l in range(len(dW)):
        vW, vb = (None, None) if velocity is None else (velocity[0][l], velocity[1][l])
        update(net.weights[l], dW[l], learning_rate, momentum, vW, l2, l1)
        update(net.biases[l], db[l], learning_rate, momentum, vb)


def _flat(net):
    """``(weights, biases, all)``: 1-D views of all weights, all biases and all parameters of
    ``net`` when its parameters are still the views of its one buffer (``net._theta``), else
    ``None``."""
    theta = getattr(net, "_theta", None)
    params = net.weights + net.biases
    if theta is None or any(p.base is not theta for p in params):
        return None
    nW = sum(W.size for W in net.weights)
    return theta[:nW], theta[nW:], theta


def fit(
    net,
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
    l1: float = 0.0,
) -> History:
    r"""Train ``net`` in place by minibatch SGD and return a :class:`History`.

    Every step is :meth:`~backprop.network.Network.gradients` (the same code, without
    re-checking the inputs) followed by :func:`sgd_step`. In the book: the update
    :eq:`eq-gd-update`, with momentum :eq:`eq-gd-momentum`, weight decay :eq:`eq-pg-l2` and
    the L1 soft threshold :eq:`eq-pg-l1` (see :func:`update` for how they compose).

    Parameters
    ----------
    X, Y : array, array
        Inputs ``(M, n_0)`` and targets ``(M, n_L)`` (or integer labels ``(M,)`` for softmax
        with cross-entropy).
    epochs : int >= 1
        Passes over the data.
    batch_size : int >= 1
        Samples per step, clipped to M. The last batch of an epoch may be smaller.
    learning_rate : float > 0
        The step size $\eta$.
    momentum : float in [0, 1)
        The fraction $\mu$ of the previous step that is kept.
    seed : int >= 0
        Seeds the sampling order (independent of the network's initialisation seed); the
        batches are those of :func:`minibatches`.
    callback : callable, optional
        ``callback(epoch, net, history)`` after each epoch (1-based); returning ``False``
        stops training (``history.stopped_early``).
    l2 : float >= 0
        Adds $\tfrac{\lambda}{2}\sum_l \lVert W^l\rVert_F^2$ to the minimised cost (weights
        only, not biases); ``history.loss`` still reports the data loss.
    l1 : float >= 0
        $\lambda_1$ of the penalty $\lambda_1\sum_l \lVert W^l\rVert_1$ (weights only): after
        each step every weight is shrunk towards 0 by $\eta\lambda_1$ and stops at 0
        (:func:`shrink`); ``history.loss`` still reports the data loss.
    validation : (X_val, Y_val), optional
        Evaluated after every epoch, into ``history.validation_loss``.
    evaluate : bool
        How ``history.loss`` is measured; see :class:`History`.

    Returns
    -------
    History
        The losses per epoch and whether training diverged or stopped early.
    """
    s = check_settings(
        epochs, batch_size, learning_rate, momentum, seed, l2, evaluate, callback, l1
    )
    X, Y = net._data(X, Y)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(
                f"validation must be a pair (X_val, Y_val), got {_validate.got(validation)}"
            )
        Xv, Yv = net._data(*validation, names=("validation[0] (X_val)", "validation[1] (Y_val)"))
    lr, mu, l2, l1 = s["learning_rate"], s["momentum"], s["l2"], s["l1"]
    rng = np.random.default_rng(s["seed"])
    batch_size = min(s["batch_size"], X.shape[0])
    # Gradients and velocities each live in one buffer, weights first, like the parameters
    # (Network._pack): a step then updates all weights with one array operation and all biases
    # with another, the same arithmetic as sgd_step array by array.
    g, gW, gb = parameter_buffer(net.sizes, net.dtype)
    v, vW, vb = parameter_buffer(net.sizes, net.dtype) if mu > 0 else (None, None, None)
    nW = sum(W.size for W in gW)
    g_w, g_b = g[:nW], g[nW:]
    v_w, v_b = (None, None) if v is None else (v[:nW], v[nW:])
    history = History(learning_rate=lr)
    L, out = net.L, (gW, gb)
    keep = not s["evaluate"]  # then the outputs z^L, a^L and targets y of every minibatch go
    if keep:  # into these rows, in the order of the epoch, for one loss call after it
        ZL, AL, YL = (np.empty((X.shape[0], net.sizes[-1]), net.dtype) for _ in range(3))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, s["epochs"] + 1):
            Ws, bs, flat = net.weights, net.biases, _flat(net)
            saved = [p.copy() for p in Ws + bs] + ([] if v is None else [v.copy()])
            at_once, start = flat is not None and not (l2 or l1), 0
            for Xb, Yb in minibatches(X, Y, batch_size, rng):
                dW, db, (z, a) = net._gradients(Xb, Yb, out=out)
                if keep:
                    stop = start + len(Yb)
                    ZL[start:stop], AL[start:stop], YL[start:stop] = z[L], a[L], Yb
                    start = stop
                if at_once:  # sgd_step on every parameter at once
                    update(flat[2], g, lr, mu, v)
                elif flat is not None:  # every weight at once (regularised), then every bias
                    update(flat[0], g_w, lr, mu, v_w, l2, l1)
                    update(flat[1], g_b, lr, mu, v_b)
                else:
                    sgd_step(net, dW, db, lr, mu, None if v is None else (vW, vb), l2, l1)
            if s["evaluate"]:
                loss = net.loss(X, Y)
            else:
                # The minibatch losses, all evaluated at once after the epoch: each batch's
                # outputs were computed with the weights of its own step, so this is the
                # mean of the minibatch losses, at the cost of one loss call per epoch.
                loss = net._loss.value(ZL, AL, YL)
            if not (np.isfinite(loss) and all(np.all(np.isfinite(W)) for W in Ws)):
                for dst, src in zip(Ws + bs + ([] if v is None else [v]), saved):
                    dst[...] = src
                history.diverged, history.diverged_epoch = True, epoch
                history.message = divergence_message(history.loss, epoch, lr)
                break
            history.loss.append(float(loss))
            if validation is not None:
                history.validation_loss.append(net.loss(Xv, Yv))
            if s["callback"] is not None and s["callback"](epoch, net, history) is False:
                history.stopped_early = True
                break
    return history


def suggested_rate(learning_rate: float) -> float:
    """A rate to try after a blow-up: a tenth of ``learning_rate``, to one significant digit."""
    return float(f"{learning_rate / 10:.1g}")


def divergence_message(losses_so_far, epoch: int, learning_rate: float) -> str:
    """Explain a divergence in words: where, how fast the loss grew, and what to try."""
    suggestion = suggested_rate(learning_rate)
    text = (
        f"Training diverged at epoch {epoch}: the loss became infinite or NaN, so the "
        f"step overshoots the minimum. The weights from before epoch {epoch} were kept."
    )
    finite = [v for v in losses_so_far if np.isfinite(v)]
    if len(finite) >= 2 and finite[0] > 0:
        factor = finite[-1] / finite[0]
        if factor > 1:
            text += (
                f" Before that the loss grew by a factor {factor:.3g} between epoch 1 "
                f"and epoch {len(finite)}."
            )
    return text + f" Try a learning rate below {suggestion:g} (it was {learning_rate:g})."
