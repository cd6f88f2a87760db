"""What makes the book's widgets live: the latest setting wins, and a reader is never left guessing.

* :class:`Runner` trains for a widget. A change made in code (``widget.set(...)``, or
  ``control.value = v`` in a cell) trains at once and returns when the figure is drawn, so the
  next line can assert on it. A change made by a reader in the browser is handed to one
  background thread and returns immediately: the kernel stays free to receive the next move,
  and a newer request *supersedes* a running one (a generation counter, checked after every
  epoch, stops the obsolete run) instead of queueing behind it. While it trains, the widget
  says "training… epoch k/N".
* :func:`check_value`: the value a control may take, or a ``ValueError`` naming the control,
  its range and the value (ipywidgets would silently clamp it to another value);
  :func:`set_controls` sets several controls of a widget at once with it.
* :func:`dead_kernel_note`: a line that the browser shows only while the widget has lost its
  kernel (ipywidgets marks every view of a closed comm with the CSS class
  ``jupyter-widgets-disconnected``, e.g. after a kernel restart), telling the reader to
  re-run the cell.
"""

from __future__ import annotations

import numbers
import threading
import time

import ipywidgets as W

TICK_SECONDS = 0.1
"""Seconds between two updates of the progress words and bar, and before the first one.

Each update is a message to the browser, and a run that ends sooner sends only its figure.
"""


def from_browser(change) -> bool:
    """Whether ``change`` (an ipywidgets observer's argument) came from the browser.

    ipywidgets applies a state update from the front end while holding the widget's
    ``_property_lock``; a change made by Python code holds no lock.
    """
    return bool(getattr(change.get("owner"), "_property_lock", None))


class Runner:
    """Runs ``train(settings, progress)`` for a widget and hands the result to ``show``.

    ``show(result, started)`` and ``fail(exception)`` are called with a lock held and only for
    the newest request, so two runs never draw into one figure at once and an obsolete
    result is never shown. ``tick(epoch, epochs, seconds)`` reports progress (throttled to
    one call per :data:`TICK_SECONDS`, plus the last epoch).
    """

    def __init__(self, train, show, fail, tick):
        self.train, self.show, self.fail, self.tick = train, show, fail, tick
        self.generation = 0
        self.superseded = 0
        """How many runs a newer request stopped before they finished."""
        self._lock = threading.Condition()
        self._draw = threading.Lock()
        self._pending = None
        self._running = False
        self._thread = None

    def run(self, settings):
        """Train ``settings`` now, in this thread; returns the result (``None`` if superseded)."""
        with self._lock:
            self.generation += 1
            generation = self.generation
        return self._run(generation, settings, raise_errors=True)

    def submit(self, settings) -> None:
        """Train ``settings`` in the background thread; a run in progress is stopped."""
        with self._lock:
            self.generation += 1
            self._pending = (self.generation, settings)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="backprop-live")
                self._thread.daemon = True
                self._thread.start()
            self._lock.notify()

    def cancel(self) -> None:
        """Make whatever runs now obsolete: it stops after its epoch and is not shown."""
        with self._lock:
            self.generation += 1
            self._pending = None

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no request is pending or running; ``False`` if ``timeout`` passed."""
        end = time.monotonic() + timeout
        with self._lock:
            while self._pending is not None or self._running:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
        return True

    @property
    def busy(self) -> bool:
        """Whether a background request is pending or running."""
        with self._lock:
            return self._pending is not None or self._running

    def _work(self) -> None:
        while True:
            with self._lock:
                while self._pending is None:
                    if not self._lock.wait(timeout=300):  # idle for 5 minutes: end the thread
                        if self._pending is None:
                            self._thread = None
                            return
                generation, settings = self._pending
                self._pending, self._running = None, True
            try:
                self._run(generation, settings, raise_errors=False)
            finally:
                with self._lock:
                    self._running = False
                    self._lock.notify_all()

    def _run(self, generation, settings, raise_errors):
        started = time.perf_counter()
        last = [started]  # a run shorter than TICK_SECONDS sends no progress at all

        def progress(epoch, epochs):
            if self.generation != generation:
                return False  # a newer request: stop this run after the current epoch
            now = time.perf_counter()
            if now - last[0] >= TICK_SECONDS:
                last[0] = now
                with self._draw:
                    if self.generation == generation:
                        self.tick(epoch, epochs, now - started)
            return None

        try:
            result = self.train(settings, progress)
        except (Exception, KeyboardInterrupt) as exc:  # shown in the widget, not lost in a log
            with self._draw:
                if self.generation == generation:
                    self.fail(exc)
            if raise_errors:
                raise
            return None
        with self._draw:
            if self.generation != generation:
                self.superseded += 1
                return None
            self.show(result, started)
        return result


def _option_values(control) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def check_value(name: str, control, value):
    """``value`` if ``control`` can show it exactly; otherwise a ``TypeError``/``ValueError``
    that names the control, what it accepts and what came."""
    if isinstance(control, W.SelectMultiple):
        options = _option_values(control)
        if isinstance(value, str) or not all(v in options for v in value):
            raise ValueError(f"{name} must be a tuple of values from {options}, got {value!r}")
        return tuple(value)
    if isinstance(control, (W.Dropdown, W.SelectionSlider, W.Select, W.RadioButtons)):
        options = _option_values(control)
        if value not in options:
            raise ValueError(f"{name} must be one of {options}, got {value!r}")
        return value
    if isinstance(control, W.FloatLogSlider):
        low, high = control.base**control.min, control.base**control.max
    elif isinstance(control, (W.IntSlider, W.FloatSlider, W.BoundedIntText, W.BoundedFloatText)):
        low, high = control.min, control.max
    else:
        return value
    integer = isinstance(control, (W.IntSlider, W.BoundedIntText))
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(
            f"{name} must lie in [{low:g}, {high:g}] (the range of its control), got {value}"
        )
    return value


def set_controls(owner, values: dict) -> None:
    """Set several of ``owner.controls`` at once, every value checked before any control changes.

    An unknown name raises ``KeyError``, a value a control cannot take the error of
    :func:`check_value`. While the values are set, ``owner._hold`` is true, so that the controls'
    observers do not retrain one by one; the caller retrains once afterwards.
    """
    unknown = sorted(set(values) - set(owner.controls))
    if unknown:
        raise KeyError(f"no control named {unknown}; the controls are {list(owner.controls)}")
    checked = {name: check_value(name, owner.controls[name], v) for name, v in values.items()}
    owner._hold = True
    try:
        for name, value in checked.items():
            owner.controls[name].value = value
    finally:
        owner._hold = False


DEAD_KERNEL_TEXT = (
    "These controls are not connected to a running Python kernel (after a kernel restart or "
    "shutdown, or on a static page), so moving them changes nothing. In Jupyter, run the cells "
    "above again and then this one (Run ▸ Run All Above Selected Cell, then Shift+Enter)."
)


def dead_kernel_note() -> W.HTML:
    """An ``HTML`` widget that the browser shows only while the widget's kernel is gone.

    Its own ``<style>`` hides it unless its view carries ipywidgets' class
    ``jupyter-widgets-disconnected`` (added to every view when JupyterLab or Notebook 7
    restarts the kernel); the same rule dims the controls of the box marked ``bp-live``.
    """
    style = (
        "<style>.bp-dead-note{display:none}"
        ".bp-dead-note.jupyter-widgets-disconnected{display:block;color:#b00020;"
        "font-weight:bold;max-width:60em}"
        ".bp-live.jupyter-widgets-disconnected .widget-slider,"
        ".bp-live.jupyter-widgets-disconnected .widget-dropdown,"
        ".bp-live.jupyter-widgets-disconnected .widget-select-multiple{opacity:0.45}"
        ".bp-live.jupyter-widgets-disconnected::before,"  # one clear line, not a chain icon
        ".bp-live .jupyter-widgets-disconnected::before{display:none}"
        ".bp-dead-note p{line-height:1.4;margin:0.4em 0}</style>"
    )
    return W.HTML(f"{style}<p>{DEAD_KERNEL_TEXT}</p>").add_class("bp-dead-note")
