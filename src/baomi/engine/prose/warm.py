"""Compile the batched decoder's Numba kernels ahead of the first scan.

The kernels (:mod:`.kernels`) are compiled on their first call and cached on disk, so the
first default scan after an install paid about 12 s of CPU for it (a demo folder: 13 s
against 3 s for the same scan once compiled). ``make setup`` runs ``python -m
baomi.engine.prose.warm`` once after installing, so that a user's first scan starts as fast
as the next. The texts decoded here are made-up sentences; only the argument types matter,
and they are those of every scan (the kernels' signatures do not depend on the model).
"""

from __future__ import annotations

import time

from baomi.engine.prose.model import BATCH_MIN_TEXTS, CrfTagger
from baomi.i18n import tr

#: Made-up sentences of the shapes a scan's notes have (a name, a place, a company); enough
#: of them to take the batched decoder's path rather than python-crfsuite's.
_TEXTS = (
    "客户张伟来电咨询合同续签事宜，约定下周在上海市浦东新区世纪大道办公室面谈。",
    "已与北京星辰科技有限公司的李娜确认付款计划，发票寄往杭州市西湖区文三路。",
    "回访王芳：对服务满意，建议增加售后网点。",
    "",
)


def warm() -> None:
    """Decode a batch of made-up texts with the default CRF model's batched decoder, which
    compiles (or loads from the cache) every kernel the scan uses."""
    texts = [t for _ in range(BATCH_MIN_TEXTS) for t in _TEXTS]
    CrfTagger().tag_arrays(texts)


def main() -> None:
    started = time.perf_counter()
    warm()
    took = time.perf_counter() - started
    print(
        tr(
            f"人名地址模型的编译内核已就绪（{took:.1f} 秒）",
            f"prose model kernels ready ({took:.1f} s)",
        )
    )


if __name__ == "__main__":
    main()
