"""Posture analyser: finds postural habits linked to calf pain in a video, photo or camera.

The public API is small:

- ``analyse(source, config=..., symptoms=..., annotated_path=...) -> Analysis``
- ``Config`` (every threshold, documented), ``Symptoms`` (optional questionnaire answers)
- ``InputError`` (bad input, with a one-sentence message)

See ``posture.pipeline`` for the stages in order.
"""

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import InputError  # noqa: E402


def __getattr__(name: str):
    # The pipeline pulls in MediaPipe and SciPy; import it only when asked for, so that
    # ``python -m posture`` can report a bad path without loading them.
    if name in {"analyse", "Analysis"}:
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Symptoms":
        from .explanations import Symptoms

        return Symptoms
    raise AttributeError(name)


__all__ = ["Analysis", "Config", "InputError", "Symptoms", "analyse", "load_config"]
