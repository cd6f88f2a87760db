"""Encrypted kernel connections for the chapters' execution (no warning per chapter).

ipykernel 7 warns, once per kernel, "Kernel is running over TCP without encryption" unless the
kernel manager provisions CurveZMQ keys. jupyter_client 8.10 can (``transport_encryption``,
"auto" for kernels whose spec declares ``supported_encryption: ["curve"]``, as ipykernel's
does), but MyST-NB and jupyter-cache create their ``NotebookClient``/``KernelManager`` without
any configuration object to set it on. So this extension, loaded before any chapter executes,
makes "auto" the default of the trait for this build process: every chapter's kernel then
talks to the build over encrypted ZMQ, and the 13 warnings are gone at their source.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def use_curve_encryption() -> None:
    import zmq
    from jupyter_client.manager import KernelManager

    trait = KernelManager.class_traits().get("transport_encryption")
    if trait is None or not zmq.has("curve"):  # an older jupyter_client, or no libsodium
        return
    trait.default_value = "auto"


def setup(app: Sphinx) -> dict:
    use_curve_encryption()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
