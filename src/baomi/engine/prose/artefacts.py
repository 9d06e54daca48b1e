"""The prose models that are built rather than shipped, and how to tell whether they are there
(without importing what runs them: the CLI checks before a scan starts)."""

from __future__ import annotations

from importlib import resources

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
