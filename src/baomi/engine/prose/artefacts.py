"""Where the prose models' files are in the package, and the models that are built rather than
shipped (told without importing what runs them: the CLI checks before a scan starts)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from baomi.i18n import tr

#: The ``neural`` backend's model: not shipped (below ``fast``), built by ``make model-neural``.
NEURAL_MODEL = "zh_ner_neural.onnx"


def neural_missing() -> str:
    """What to say when the ``neural`` backend is chosen and its model was never built."""
    return tr(
        f"neural 模型（{NEURAL_MODEL}）未随包提供：先运行 make model-neural 构建",
        f"the neural model ({NEURAL_MODEL}) is not shipped: build it with `make model-neural` first",
    )


def neural_model_built() -> bool:
    """Whether ``make model-neural`` has put the ``neural`` backend's model in the package."""
    return resources.files("baomi.engine.prose").joinpath(NEURAL_MODEL).is_file()


def packaged_model(name: str) -> Path | None:
    """The path of the model file ``name`` inside the package (``None``: not there)."""
    ref = resources.files("baomi.engine.prose").joinpath(name)
    with resources.as_file(ref) as path:
        return Path(path) if path.is_file() else None
