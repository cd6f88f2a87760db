"""Read-only sequences indexed like the book: ``W[1]`` is $W^1$, ``a[0]`` is the input."""

from __future__ import annotations

from collections.abc import Sequence


class Indexed(Sequence):
    """A read-only view of ``items`` whose first element has index ``start``.

    ``Indexed([W1, W2], start=1)[1] is W1``. Asking for an index outside
    ``start .. start + len - 1`` raises ``IndexError`` naming the valid range, so that an
    off-by-one between the text and the code fails loudly instead of reading a wrong layer.
    """

    __slots__ = ("_items", "start")

    def __init__(self, items, start: int):
        self._items = list(items)
        self.start = start

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, l):
        if type(l) is int and 0 <= l - self.start < len(self._items):  # the common case, fast
            return self._items[l - self.start]
        if isinstance(l, slice):
            raise TypeError("layer views do not slice; use list(view) for a plain list")
        last = self.start + len(self._items) - 1
        if not isinstance(l, int) or not self.start <= l <= last:
            raise IndexError(f"layer index must be in {self.start}..{last}, got {l!r}")
        return self._items[l - self.start]

    def __iter__(self):
        return iter(self._items)

    def keys(self):
        """The valid indices, ``range(start, start + len)``."""
        return range(self.start, self.start + len(self._items))

    def __repr__(self) -> str:
        return f"Indexed(start={self.start}, len={len(self._items)})"
