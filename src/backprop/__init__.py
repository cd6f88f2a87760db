"""backprop: the network code of *Backpropagation, derived and executed*.

Pure NumPy. The public contract::

    net = backprop.Network([n0, ..., nL], hidden="sigmoid", output="sigmoid",
                           loss="mse", seed=0, dtype=np.float64)
    net.W[l]  # W^l, shape (n_l, n_{l-1}): the same array as net.weights[l-1]
    net.predict(X); net.loss(X, Y); net.gradients(X, Y); net.fit(X, Y, ...)
    net.save(path); backprop.Network.load(path)

The core, one module per idea: network (the forward/backward layer pairs chained in the book's
layer indices) and train (the settings check, minibatches and the SGD step); what they are
built from: activations, losses (value and output error side by side) and layers (forward and
backward pairs; with the losses, the only place the equations are written); the checks
gradcheck (finite differences) and symbolic (exact, with SymPy); autodiff (reverse mode on a
tape of array operations) and autodiff_scalar (reverse mode one number at a time); datasets;
io (saving and loading). The book's interactive code lives apart, in backprop.explore.

The core needs only NumPy. Three parts need optional packages, installed with an extra of
``backprop-book``: ``backprop.symbolic`` needs SymPy (``pip install "backprop-book[symbolic]"``),
``backprop.datasets.digits`` needs scikit-learn (``[data]``), and ``backprop.explore`` needs
ipywidgets and matplotlib (``[widgets]``); ``[book]`` installs all three.
"""

from . import activations, datasets, gradcheck, io, layers, losses, network, train
from .gradcheck import check_gradients, directional_check, numerical_gradients, relative_error
from .network import BackwardPass, ForwardPass, Network, accuracy, one_hot
from .train import History, check_settings, fit, minibatches, sgd_step

__all__ = [
    "BackwardPass",
    "ForwardPass",
    "History",
    "Network",
    "accuracy",
    "activations",
    "check_gradients",
    "check_settings",
    "datasets",
    "directional_check",
    "fit",
    "gradcheck",
    "io",
    "layers",
    "losses",
    "minibatches",
    "network",
    "numerical_gradients",
    "one_hot",
    "relative_error",
    "sgd_step",
    "train",
]
__version__ = "0.1.0"
