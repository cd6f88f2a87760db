"""Save and load a network's settings and parameters as ``.npz`` (plain arrays, no pickle).

The file holds ``sizes``, ``hidden``, ``output``, ``loss``, ``dtype`` and ``W1..WL``,
``b1..bL`` (named after $W^l$, $b^l$). Reading checks everything before building anything:
the file must be a readable ``.npz``; the settings must be text of the known choices; the
recorded sizes must pass the same limits as ``Network(sizes)`` (so a file cannot make us
allocate a huge network); every array must be present, real, finite and of the shape the sizes
imply. Any failure is a ``ValueError`` naming the file and the array.

This module knows nothing of :class:`~backprop.Network` (no import circle):
``Network.save``/``Network.load`` call :func:`write` and :func:`read`.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
import zlib

import numpy as np

from . import _validate, activations, losses

#: The settings a file records beside the parameters.
SETTINGS = ("sizes", "hidden", "output", "loss", "dtype")


def write(path, settings: dict, weights, biases) -> None:
    """Write ``settings`` (the keys of :data:`SETTINGS`) and the parameters to ``path``.

    The file is written at exactly ``path``: unlike ``np.savez`` given a name, no ``.npz`` is
    appended, so ``read(path)`` finds what ``write(path, ...)`` wrote. ``path``: a ``str`` or
    ``os.PathLike``; a folder or a missing parent folder raise ``OSError`` naming it.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {_validate.got(path)}")
    arrays = {f"W{l}": W for l, W in enumerate(weights, start=1)}
    arrays.update({f"b{l}": b for l, b in enumerate(biases, start=1)})
    with open(path, "wb") as file:
        np.savez(
            file,
            sizes=np.array(settings["sizes"], dtype=np.int64),
            **{k: np.array(str(settings[k])) for k in SETTINGS[1:]},
            **arrays,
        )


class _Archive:
    """A ``.npz`` opened lazily: each array's header (shape, dtype) is read before its data."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self.npz = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(
                f"{self.path!r} must be a readable .npz file of a saved network, got {exc}"
            ) from exc
        if not hasattr(self.npz, "files"):
            raise ValueError(f"{self.path!r} holds a single array, not a saved network (.npz)")
        self.files = set(self.npz.files)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.npz.close()

    def header(self, key) -> tuple:
        """``(shape, dtype)`` of array ``key`` without reading its data."""
        fmt = np.lib.format
        with self._reading(key), self.npz.zip.open(key + ".npy") as fp:
            version = fmt.read_magic(fp)
            reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = reader(fp)
        return shape, dtype

    def array(self, key, shape, kinds: str, what: str) -> np.ndarray:
        """Array ``key`` if its header says ``shape`` (``None``: any 1-D up to 1,000 entries)
        and a dtype kind in ``kinds``; only then is its data read."""
        if key not in self.files:
            raise ValueError(f"{self.path!r} has no array {key!r}: expected {what}")
        got_shape, dtype = self.header(key)
        ok_shape = (
            (len(got_shape) == 1 and got_shape[0] <= 1000)
            if shape is None
            else (got_shape == shape)
        )
        if dtype.kind not in kinds or not ok_shape:
            raise ValueError(
                f"{self.path!r}: array {key!r} must be {what}, got dtype {dtype} and shape "
                f"{got_shape}"
            )
        with self._reading(key):
            return self.npz[key]

    @contextlib.contextmanager
    def _reading(self, key):
        """Turn whatever a damaged archive raises into a ``ValueError`` naming file and array."""
        try:
            yield
        except (OSError, EOFError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile,
                zlib.error) as exc:  # fmt: skip
            raise ValueError(
                f"{self.path!r}: array {key!r} must be a readable .npy member, got {exc}"
            ) from exc


def read(path) -> tuple:
    """``(settings, weights, biases)`` from a file written by :func:`write`, all checked.

    ``settings`` holds the keyword arguments of ``Network(...)``; the parameter lists are
    0-based, of the recorded dtype.
    """
    with _Archive(path) as ar:
        missing = [k for k in SETTINGS if k not in ar.files]
        if missing:
            raise ValueError(f"{ar.path!r} is not a saved backprop network: missing {missing}")
        settings = {k: str(ar.array(k, (), "U", "a text scalar")) for k in SETTINGS[1:]}
        if settings["dtype"] not in ("float32", "float64"):
            raise ValueError(
                f"{ar.path!r}: dtype must be 'float32' or 'float64', got {settings['dtype']!r}"
            )
        try:
            _validate.choice("hidden", settings["hidden"], activations.HIDDEN)
            losses.check_pair(settings["output"], settings["loss"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{ar.path!r}: {exc}") from exc
        settings["sizes"] = _sizes(ar)
        Ws, bs = _parameters(ar, settings["sizes"], np.dtype(settings["dtype"]))
    return settings, Ws, bs


def read_parameters(path, sizes, dtype) -> tuple:
    """The weights and biases in ``path``, checked against a network of ``sizes``."""
    with _Archive(path) as ar:
        if "sizes" in ar.files and _sizes(ar) != list(sizes):
            raise ValueError(
                f"{ar.path!r} must hold a network of this network's sizes {list(sizes)}, "
                f"got sizes {_sizes(ar)}"
            )
        return _parameters(ar, list(sizes), dtype)


def _sizes(ar) -> list:
    arr = ar.array("sizes", None, "iu", "a 1-D integer array of layer sizes")
    try:
        return list(_validate.layer_sizes("sizes", [int(n) for n in arr]))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{ar.path!r}: {exc}") from exc


def _parameters(ar, sizes, dtype) -> tuple:
    Ws, bs = [], []
    for l in range(1, len(sizes)):
        for name, shape, out in (
            (f"W{l}", (sizes[l], sizes[l - 1]), Ws),
            (f"b{l}", (sizes[l],), bs),
        ):
            what = f"real numbers of shape {shape} for a network of sizes {sizes}"
            arr = ar.array(name, shape, "fiu", what)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{ar.path!r}: array {name!r} must be finite, got NaN or inf")
            out.append(arr.astype(dtype))
    return Ws, bs
