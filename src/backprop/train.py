r"""Minibatch stochastic gradient descent with optional momentum.

One step on a minibatch $B$ of size $|B|$ (chapter *Gradient descent and minibatch SGD*):

$$v \leftarrow \mu v - \eta \nabla_\theta C_B(\theta), \qquad \theta \leftarrow \theta + v,$$

with $C_B$ the mean loss over the batch, learning rate $\eta > 0$ and momentum
$\mu \in [0, 1)$ ($\mu = 0$ is plain SGD). Each epoch visits every sample once, in an order
drawn without replacement from a generator seeded by ``seed``: the same seed gives
bit-identical weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate, losses


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
) -> History:
    r"""Train ``net`` in place by minibatch SGD and return a :class:`History`.

    Parameters
    ----------
    X, Y : arrays ``(M, n_0)`` and ``(M, n_L)`` (or integer labels ``(M,)`` for softmax with
        cross-entropy).
    epochs : int >= 1
    batch_size : int >= 1; clipped to M. The last batch of an epoch may be smaller.
    learning_rate : float > 0, $\eta$.
    momentum : float in [0, 1), $\mu$.
    seed : int, seeds the sampling order (independent of the network's initialisation seed).
    callback : ``callback(epoch, net, history)`` after each epoch (1-based); returning
        ``False`` stops training (``history.stopped_early``).
    l2 : float >= 0, adds $\tfrac{\lambda}{2}\sum_l \lVert W^l\rVert_F^2$ to the minimised cost
        (weights only, not biases); ``history.loss`` still reports the data loss.
    validation : optional ``(X_val, Y_val)`` evaluated after every epoch.
    evaluate : see :class:`History`.

    In the book: the update :eq:`eq-gd-update`, with momentum :eq:`eq-gd-momentum` and weight decay
    :eq:`eq-pg-l2`.
    """
    X = net.check_X(X)
    Y = net.check_Y(Y, X.shape[0])
    epochs = _validate.positive_int("epochs", epochs)
    batch_size = _validate.positive_int("batch_size", batch_size)
    lr = _validate.positive_float("learning_rate", learning_rate)
    mu = _validate.nonnegative_float("momentum", momentum, upper=1.0)
    l2 = _validate.nonnegative_float("l2", l2)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if validation is not None:
        Xv = net.check_X(validation[0])
        Yv = net.check_Y(validation[1], Xv.shape[0])
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")

    rng = np.random.default_rng(seed)
    M = X.shape[0]
    batch_size = min(batch_size, M)
    Ws, bs = net.weights, net.biases
    vW = [np.zeros_like(W) for W in Ws] if mu > 0 else None
    vb = [np.zeros_like(b) for b in bs] if mu > 0 else None
    history = History(learning_rate=lr)
    L = net.L

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            saved = (
                [W.copy() for W in Ws],
                [b.copy() for b in bs],
                None if vW is None else ([v.copy() for v in vW], [v.copy() for v in vb]),
            )
            order = rng.permutation(M)
            # One shuffled copy per epoch; each minibatch is then a slice (a view, no copy).
            X_epoch, Y_epoch = X[order], Y[order]
            outputs = []  # (z^L, a^L) of every minibatch, kept for evaluate=False
            for start in range(0, M, batch_size):
                Xb = X_epoch[start : start + batch_size]
                Yb = Y_epoch[start : start + batch_size]
                dW, db, fp = net._gradients_unchecked(Xb, Yb)
                if not evaluate:
                    outputs.append((fp.z[L], fp.a[L]))
                _sgd_step(Ws, bs, dW, db, vW, vb, lr, mu, l2)
            if evaluate:
                loss = net.loss(X, Y)
            else:
                # The minibatch losses, all evaluated at once after the epoch: each batch's
                # outputs were computed with the weights of its own step, so this is the
                # mean of the minibatch losses, at the cost of one loss call per epoch.
                Z = np.concatenate([z for z, _ in outputs])
                A = np.concatenate([a for _, a in outputs])
                loss = losses.value(net.loss_name, net.output, Z, A, Y_epoch)
            finite = np.isfinite(loss) and all(np.all(np.isfinite(W)) for W in Ws)
            if not finite:
                _restore(Ws, bs, vW, vb, saved)
                history.diverged, history.diverged_epoch = True, epoch
                history.message = divergence_message(history.loss, epoch, lr)
                break
            history.loss.append(float(loss))
            if validation is not None:
                history.validation_loss.append(net.loss(Xv, Yv))
            if callback is not None and callback(epoch, net, history) is False:
                history.stopped_early = True
                break
    return history


def _sgd_step(Ws, bs, dW, db, vW, vb, lr, mu, l2):
    """One update of every parameter in place; the gradient arrays are consumed."""
    for l, (W, b) in enumerate(zip(Ws, bs)):
        if l2:
            dW[l] += l2 * W
        if vW is None:  # theta <- theta - eta * grad
            dW[l] *= lr
            W -= dW[l]
            db[l] *= lr
            b -= db[l]
        else:  # v <- mu v - eta * grad;  theta <- theta + v
            vW[l] *= mu
            vW[l] -= lr * dW[l]
            W += vW[l]
            vb[l] *= mu
            vb[l] -= lr * db[l]
            b += vb[l]


def _restore(Ws, bs, vW, vb, saved):
    for dst, src in zip(Ws + bs, saved[0] + saved[1]):
        dst[...] = src
    if vW is not None:
        for dst, src in zip(vW + vb, saved[2][0] + saved[2][1]):
            dst[...] = src


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
