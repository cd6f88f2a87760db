"""backprop: the network code of *Backpropagation, derived and executed*.

Pure NumPy. The public contract::

    net = backprop.Network([n0, ..., nL], hidden="sigmoid", output="sigmoid",
                           loss="mse", seed=0, dtype=np.float64)
    net.weights[l].shape == (n_{l+1}, n_l)      # W^{l+1}; net.W[l] is W^l (1-based)
    net.predict(X); net.loss(X, Y); net.gradients(X, Y); net.fit(X, Y, ...)
"""

from . import activations, datasets, gradcheck, layers, losses, train
from .gradcheck import check_gradients, directional_check, numerical_gradients, relative_error
from .network import BackwardPass, ForwardPass, Network, one_hot
from .train import History, fit

__all__ = [
    "BackwardPass",
    "ForwardPass",
    "History",
    "Network",
    "activations",
    "check_gradients",
    "datasets",
    "directional_check",
    "fit",
    "gradcheck",
    "layers",
    "losses",
    "numerical_gradients",
    "one_hot",
    "relative_error",
    "train",
]
__version__ = "0.1.0"
