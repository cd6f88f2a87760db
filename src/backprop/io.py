"""Save and load a network's settings and parameters as ``.npz`` (plain arrays, no pickle).

The file holds ``sizes``, ``hidden``, ``output``, ``loss``, ``dtype`` and ``W1..WL``,
``b1..bL`` (named after $W^l$, $b^l$). Loading checks that every array is present and has
the shape the sizes imply.
"""

from __future__ import annotations

import numpy as np


def save(net, path) -> None:
    """Write ``net`` to ``path`` (``.npz`` is appended by NumPy if missing)."""
    arrays = {f"W{l}": W for l, W in enumerate(net.weights, start=1)}
    arrays.update({f"b{l}": b for l, b in enumerate(net.biases, start=1)})
    np.savez(
        path,
        sizes=np.array(net.sizes, dtype=np.int64),
        hidden=np.array(net.hidden),
        output=np.array(net.output),
        loss=np.array(net.loss_name),
        dtype=np.array(net.dtype.name),
        **arrays,
    )


def _read(path):
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read network parameters from {path!r}: {exc}") from exc


def _check_arrays(data, sizes, path):
    Ws, bs = [], []
    for l in range(1, len(sizes)):
        for name, shape, out in (
            (f"W{l}", (sizes[l], sizes[l - 1]), Ws),
            (f"b{l}", (sizes[l],), bs),
        ):
            if name not in data:
                raise ValueError(
                    f"{path!r} has no array {name!r}: expected one for a network "
                    f"of sizes {list(sizes)}"
                )
            arr = data[name]
            if arr.shape != shape:
                raise ValueError(
                    f"{path!r} holds {name} of shape {arr.shape}, but a network of "
                    f"sizes {list(sizes)} needs {shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{path!r} holds non-finite values in {name}")
            out.append(arr)
    return Ws, bs


def load(path):
    """A new :class:`~backprop.Network` rebuilt from a file written by :func:`save`."""
    from .network import Network

    data = _read(path)
    missing = [k for k in ("sizes", "hidden", "output", "loss", "dtype") if k not in data]
    if missing:
        raise ValueError(f"{path!r} is not a saved backprop network: missing {missing}")
    sizes = [int(n) for n in data["sizes"]]
    net = Network(
        sizes,
        hidden=str(data["hidden"]),
        output=str(data["output"]),
        loss=str(data["loss"]),
        dtype=np.dtype(str(data["dtype"])),
    )
    Ws, bs = _check_arrays(data, sizes, path)
    net.weights = [W.astype(net.dtype) for W in Ws]
    net.biases = [b.astype(net.dtype) for b in bs]
    return net


def load_parameters(net, path) -> None:
    """Copy the parameters stored in ``path`` into ``net``; the sizes must be the same."""
    data = _read(path)
    if "sizes" in data and [int(n) for n in data["sizes"]] != list(net.sizes):
        raise ValueError(
            f"{path!r} holds a network of sizes {[int(n) for n in data['sizes']]}, "
            f"but this network has sizes {list(net.sizes)}"
        )
    Ws, bs = _check_arrays(data, net.sizes, path)
    for dst, src in zip(net.weights + net.biases, Ws + bs):
        dst[...] = src
