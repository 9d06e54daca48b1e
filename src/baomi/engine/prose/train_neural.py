"""Train the ``neural`` backend's character CNN (:mod:`.neural`, issue 18 fast mode).

    python -m baomi.engine.prose.train_neural --uner UNER.iob2 --weibo WEIBO.conll --out OUT

Training only: needs PyTorch (CPU build) and ``onnx``, which ``make model-neural`` installs
into the virtual environment (they are not runtime dependencies). Data, as :mod:`.train_mixed`:
UNER Chinese-GSDSIMP train and Weibo NER train (CC BY-SA, :mod:`.train_accurate`'s readers),
given ``--real-copies`` times, plus ``--renamed-copies`` copies of them with every person
replaced by a generated name (:func:`.extra_corpora.with_new_names`), plus generated business
text (:mod:`.generator`), and with ``--distill`` Tatoeba sentences tagged by the accurate model
(:mod:`.extra_corpora`, as ``train_mixed --distill``; names replaced). The model is trained for ``--epochs`` passes (Adam), the epoch with the
best mean F1 over the held-out sets (UNER dev, generated held-out templates; nothing here reads
the evaluation sets) kept, exported to ONNX and its weights quantized to int8 when
``--int8``. A model written by this script is trained on CC BY-SA data: it ships under CC BY-SA.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch  # type: ignore[import-not-found, unused-ignore]
from torch import nn  # type: ignore[import-not-found, unused-ignore]

from baomi.engine.prose import extra_corpora
from baomi.engine.prose import train as train_fast
from baomi.engine.prose.neural import (
    BIGRAM_BUCKETS,
    UNK,
    Lexicons,
    NeuralTagger,
    Vocabulary,
    encode,
)
from baomi.engine.prose.spans import spans_from_tags
from baomi.engine.prose.train_accurate import (
    Tagged,
    chunks,
    corpus_parser,
    generated,
    heldout_sets,
    read_uner,
    read_weibo,
)

DEFAULT_OUT = Path(__file__).with_name("zh_ner_neural.onnx")
LABELS = ("O", "B-PER", "I-PER", "B-ADDR", "I-ADDR", "B-ORG", "I-ORG")


class CharCnn(nn.Module):  # type: ignore[misc, unused-ignore]
    """Character + bigram embeddings → dilated residual convolutions → label probabilities.
    Padding positions are zeroed after every layer, so that a chunk's output does not depend
    on the other chunks of its batch."""

    def __init__(
        self,
        n_chars: int,
        dim: int,
        bigram_dim: int,
        n_bits: int,
        hidden: int,
        dilations: tuple[int, ...],
    ) -> None:
        super().__init__()
        self.char = nn.Embedding(n_chars, dim, padding_idx=0)
        self.bigram = nn.Embedding(BIGRAM_BUCKETS, bigram_dim, padding_idx=0)
        self.inp = nn.Linear(dim + bigram_dim + n_bits, hidden)
        self.convs = nn.ModuleList(
            nn.Conv1d(hidden, hidden, 3, padding=d, dilation=d) for d in dilations
        )
        self.out = nn.Linear(hidden, len(LABELS))
        self.drop = nn.Dropout(0.2)

    def forward(
        self, chars: torch.Tensor, bigrams: torch.Tensor, feats: torch.Tensor
    ) -> torch.Tensor:
        mask = (chars != 0).unsqueeze(1).to(torch.float32)  # B × 1 × L
        x = torch.cat([self.char(chars), self.bigram(bigrams), feats], -1)
        h = torch.relu(self.inp(self.drop(x))).transpose(1, 2) * mask
        for conv in self.convs:
            h = (h + torch.relu(conv(self.drop(h)))) * mask
        logits: torch.Tensor = self.out(h.transpose(1, 2))
        return logits


class Exported(nn.Module):  # type: ignore[misc, unused-ignore]
    """The model as exported: probabilities rather than logits."""

    def __init__(self, net: CharCnn) -> None:
        super().__init__()
        self.net = net

    def forward(
        self, chars: torch.Tensor, bigrams: torch.Tensor, feats: torch.Tensor
    ) -> torch.Tensor:
        return torch.softmax(self.net(chars, bigrams, feats), -1)


def vocabulary(data: list[Tagged], min_count: int) -> Vocabulary:
    counts: dict[str, int] = {}
    for text, _ in data:
        for ch in text:
            counts[ch] = counts.get(ch, 0) + 1
    return Vocabulary("".join(sorted(ch for ch, n in counts.items() if n >= min_count)))


def batches(data: list[Tagged], size: int, rng: random.Random) -> list[list[Tagged]]:
    """Shuffled batches of chunks of similar length."""
    items = sorted(data, key=lambda it: (len(it[0]), rng.random()))
    out = [items[k : k + size] for k in range(0, len(items), size)]
    rng.shuffle(out)
    return out


def tensors(batch: list[Tagged], vocab: Vocabulary, lex: Lexicons) -> tuple[torch.Tensor, ...]:
    chars, grams, feats = encode([t for t, _ in batch], vocab, lex)
    index = {lab: k for k, lab in enumerate(LABELS)}
    gold = np.full(chars.shape, -100, dtype=np.int64)
    for row, (_, tags) in enumerate(batch):
        gold[row, : len(tags)] = [index[t] for t in tags]
    return tuple(torch.from_numpy(a) for a in (chars, grams, feats, gold))


def heldout_f1(tagger: NeuralTagger, held: dict[str, list[Tagged]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, items in held.items():
        pred = tagger.tag_many([t for t, _ in items])
        out[name] = train_fast.span_scores(
            ({(s.start, s.end, s.label) for s in p}, set(spans_from_tags(y)))
            for p, (_, y) in zip(pred, items, strict=True)
        )
    return out


def export(net: CharCnn, vocab: Vocabulary, n_bits: int, out: Path, int8: bool) -> Path:
    import onnx  # type: ignore[import-not-found, import-untyped, unused-ignore]

    net.eval()
    tmp = out.with_suffix(".tmp.onnx")
    dummy = (
        torch.ones(2, 7, dtype=torch.int64),
        torch.ones(2, 7, dtype=torch.int64),
        torch.zeros(2, 7, n_bits),
    )
    torch.onnx.export(
        Exported(net),
        dummy,
        str(tmp),
        input_names=["chars", "bigrams", "feats"],
        output_names=["probs"],
        dynamic_axes={k: {0: "n", 1: "len"} for k in ("chars", "bigrams", "feats")},
        opset_version=17,
        dynamo=False,
    )
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        q = out.with_suffix(".q.onnx")
        # ONNX Runtime's CPU provider has no int8 convolution (ConvInteger) kernel here: the
        # embeddings and the dense layers only
        quantize_dynamic(
            str(tmp), str(q), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather", "MatMul"]
        )
        tmp.unlink()
        tmp = q
    model = onnx.load(str(tmp))
    for key, value in (("vocab", json.dumps(vocab.chars)), ("labels", json.dumps(LABELS))):
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, str(out))
    tmp.unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = corpus_parser(__doc__, 20_000, train_fast.DEFAULT_SEED, DEFAULT_OUT)
    ap.add_argument("--real-copies", type=int, default=2)
    ap.add_argument("--renamed-copies", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--bigram-dim", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=96)
    ap.add_argument("--dilations", default="1,2,4")
    ap.add_argument("--unk", type=float, default=0.05, help="share of characters made unknown")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--distill", type=Path, default=None, help="Tatoeba cmn.txt (teacher-tagged)")
    ap.add_argument("--distill-min", type=float, default=0.9, help="teacher's least marginal")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--decay", type=float, default=0.8, help="learning rate factor per epoch")
    ap.add_argument("--int8", action="store_true")
    args = ap.parse_args(argv)
    t0, c0 = time.perf_counter(), time.process_time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    real = [*chunks(read_uner(args.uner)), *chunks(read_weibo(args.weibo))]
    renamed = [
        item
        for k in range(args.renamed_copies)
        for item in extra_corpora.with_new_names(real, args.seed + 2 + k)
    ]
    gen = generated(args.generated, args.seed, args.split)
    distilled: list[Tagged] = []
    if args.distill is not None:  # as train_mixed: the accurate model as teacher, new names
        texts = extra_corpora.read_tatoeba(args.distill)
        tagged = extra_corpora.teacher_labels(
            texts, extra_corpora.default_teacher(), args.distill_min
        )
        distilled = list(extra_corpora.with_new_names(tagged, args.seed + 1))
        print(f"{len(distilled)} teacher-tagged chunks of {len(texts)} texts", file=sys.stderr)
    data = [*(real * args.real_copies), *renamed, *distilled, *gen]
    vocab = vocabulary(data, 2)
    print(f"{len(data)} chunks, {vocab.size} characters", file=sys.stderr)
    held = heldout_sets(args.uner_dev)
    dilations = tuple(int(d) for d in args.dilations.split(","))
    lex = Lexicons()
    net = CharCnn(vocab.size, args.dim, args.bigram_dim, lex.n_bits, args.hidden, dilations)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    best: tuple[float, dict[str, Any]] | None = None
    tmp = args.out.with_suffix(".epoch.onnx")
    for epoch in range(args.epochs):
        net.train()
        total = 0.0
        for batch in batches(data, 64, rng):
            chars, grams, feats, gold = tensors(batch, vocab, lex)
            drop = (torch.rand(chars.shape) < args.unk) & (chars != 0)
            chars = torch.where(drop, torch.full_like(chars, UNK), chars)
            opt.zero_grad()
            loss = loss_fn(net(chars, grams, feats).reshape(-1, len(LABELS)), gold.reshape(-1))
            loss.backward()
            opt.step()
            total += loss.item()
        for group in opt.param_groups:
            group["lr"] *= args.decay
        export(net, vocab, lex.n_bits, tmp, int8=False)
        scores = heldout_f1(NeuralTagger(tmp), held)
        mean = float(np.mean([f for s in scores.values() for _, _, f in s.values()]))
        line = "; ".join(
            f"{n} {lab} {f:.3f}" for n, s in scores.items() for lab, (_, _, f) in s.items()
        )
        print(f"epoch {epoch + 1}: loss {total:.1f}, mean F1 {mean:.3f}: {line}", file=sys.stderr)
        if best is None or mean > best[0]:
            best = (mean, {k: v.clone() for k, v in net.state_dict().items()})
    tmp.unlink(missing_ok=True)
    assert best is not None
    net.load_state_dict(best[1])
    out = export(net, vocab, lex.n_bits, args.out, args.int8)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = out.stat().st_size / 1e6
    print(f"wrote {out} ({size:.1f} MB) in {wall:.0f} s wall, {cpu:.0f} s CPU", file=sys.stderr)
    for name, s in heldout_f1(NeuralTagger(out), held).items():
        for lab, (p, r, f) in s.items():
            print(f"{name} {lab}: P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
