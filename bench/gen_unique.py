"""Write the speed benchmark's second and third corpora (issue 17): data nobody tuned for.

    python bench/gen_unique.py --rows 200000 --docs 120 --seed 17 --out bench/out

Written apart from ``gen_customers.py`` and :mod:`baomi.demo` (no shared templates, names or
layout): everything comes from Faker ``zh_CN`` and this file's own phrases.

* ``OUT/unique/crm_unique.csv`` — a CRM export with another column layout (15 columns: 客户编号,
  客户姓名, 性别, 出生日期, 证件号码, 联系手机, 电子邮箱, 开户银行, 银行账号, 通讯地址,
  工作单位, 职务, 会员等级, 累计消费, 跟进记录). Every 跟进记录 cell is unique free text —
  Faker's Chinese sentences — with 0–2 identifiers (mobile, resident ID, e-mail, bank card,
  a name) put at random places in it. About 42 MB for 200,000 rows.
* ``OUT/unique/crm_wide.csv`` (``--wide-only``, ``--wide-rows``) — another layout: a wide CRM
  export of 95 columns, most of them short (a customer's eight contacts with name, mobile, e-mail and
  title each; three delivery addresses; twelve months of orders and spend; tags, flags,
  dates, a credit code, three short remarks with identifiers in some). About 37 MB for
  50,000 rows.
* ``OUT/docs/`` — long documents: contracts of about 40–120 KB as ``.txt`` (most) and
  ``.docx`` (every sixth), parties with names, IDs, phones, addresses, companies and bank
  accounts in the clauses, the clauses Faker prose.

Identifiers carry valid check digits (Faker's resident IDs; card numbers with a Luhn digit). No real
person's data. The files are deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from faker import Faker

from baomi.engine.checksums import luhn_check_digit, uscc_check_char

CSV_NAME = "crm_unique.csv"
WIDE_NAME = "crm_wide.csv"
CONTACTS = 8
FLAGS = ("VIP", "黑名单", "已回访", "已开票", "月结", "退货", "投诉", "推荐", "协议", "活跃")
WIDE_HEADER = (
    "客户编号",
    "客户名称",
    "统一社会信用代码",
    "开户银行",
    "银行账号",
    *(f"联系人{k}{f}" for k in range(1, CONTACTS + 1) for f in ("姓名", "手机", "邮箱", "职务")),
    *(f"收货地址{k}" for k in range(1, 4)),
    *(f"{m}月{field}" for m in range(1, 13) for field in ("订单数", "消费金额")),
    *(f"标签{k}" for k in range(1, 11)),
    *(f"是否{flag}" for flag in FLAGS),
    *("创建日期", "最后登录", "最近下单", "渠道", "区域", "销售代表", "信用等级", "账期天数"),
    *(f"备注{k}" for k in range(1, 4)),
)
TAGS = ("老客户", "高价值", "价格敏感", "华东", "电商", "批发", "政府", "教育", "医疗", "制造")
CHANNELS = ("官网", "电话", "展会", "代理", "转介绍", "小程序")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
HEADER = (
    "客户编号",
    "客户姓名",
    "性别",
    "出生日期",
    "证件号码",
    "联系手机",
    "电子邮箱",
    "开户银行",
    "银行账号",
    "通讯地址",
    "工作单位",
    "职务",
    "会员等级",
    "累计消费",
    "跟进记录",
)
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "招商银行", "交通银行", "中国银行")
LEVELS = ("普通", "银卡", "金卡", "铂金", "钻石")
# Lead-ins before an identifier in a note (the identifier follows directly or after a colon).
LEADS = {
    "mobile": ("客户手机", "联系电话", "回拨", "新号码", "手机号为", "电话"),
    "id": ("身份证", "证件号", "核对身份证号", "身份证号码"),
    "email": ("邮箱", "发送至", "邮件地址", "电邮"),
    "card": ("卡号", "退款至", "银行卡", "账户"),
    "name": ("联系人", "客户", "经办人", "家属"),
}


def _luhn_card(rng: random.Random) -> str:
    """A 16- or 19-digit UnionPay-style number with a Luhn check digit."""
    body = "62" + "".join(rng.choice("0123456789") for _ in range(rng.choice((13, 16))))
    return body + luhn_check_digit(body)


class Corpus:
    def __init__(self, seed: int) -> None:
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)

    def mobile(self) -> str:
        m = self.fake.phone_number()
        r = self.rng.random()
        if r < 0.1:
            return f"{m[:3]}-{m[3:7]}-{m[7:]}"
        if r < 0.15:
            return "+86 " + m
        return m

    def card(self) -> str:
        c = self.fake.credit_card_number() if self.rng.random() < 0.3 else _luhn_card(self.rng)
        if self.rng.random() < 0.2:
            return " ".join(c[i : i + 4] for i in range(0, len(c), 4))
        return c

    def ident(self, kind: str) -> str:
        make: dict[str, Callable[[], str]] = {
            "mobile": self.mobile,
            "id": self.fake.ssn,
            "email": self.fake.email,
            "card": self.card,
            "name": self.fake.name,
        }
        value = make[kind]()
        lead = self.rng.choice(LEADS[kind])
        return lead + self.rng.choice(("", "：", " ", ":")) + value

    def note(self, low: int = 0, high: int = 2, most: int = 3) -> str:
        """Unique free text: 1–``most`` Faker sentences, up to one identifier cut into each."""
        rng = self.rng
        parts = [
            self.fake.sentence(nb_words=rng.randint(3, 9)).rstrip(".") + "。"
            for _ in range(rng.randint(1, most))
        ]
        chosen = rng.sample(range(len(parts)), min(len(parts), rng.randint(low, high)))
        for k in chosen:
            s = parts[k]
            cut = rng.randrange(len(s))
            parts[k] = s[:cut] + "，" + self.ident(rng.choice(tuple(LEADS))) + "，" + s[cut:]
        return "".join(parts)

    def row(self, i: int) -> list[str]:
        f, rng = self.fake, self.rng
        ssn = f.ssn()
        birth = f"{ssn[6:10]}-{ssn[10:12]}-{ssn[12:14]}"
        sex = "男" if int(ssn[16]) % 2 else "女"
        return [
            f"C{2026_000000 + i}",
            f.name(),
            sex,
            birth,
            ssn if rng.random() < 0.95 else "",
            self.mobile(),
            f.email() if rng.random() < 0.85 else "",
            rng.choice(BANKS),
            self.card() if rng.random() < 0.75 else "",
            f.address(),
            f.company(),
            f.job(),
            rng.choice(LEVELS),
            f"{rng.randint(0, 500_000) / 100:.2f}",
            self.note(),
        ]

    def uscc(self) -> str:
        body = "91" + self.fake.ssn()[:6] + "".join(self.rng.choice(USCC_CHARS) for _ in range(9))
        return body + uscc_check_char(body)

    def wide_row(self, i: int) -> list[str]:
        """A row of :data:`WIDE_HEADER`: a company customer and its contacts."""
        f, rng = self.fake, self.rng
        row = [f"K{2026_000000 + i}", f.company(), self.uscc(), rng.choice(BANKS), self.card()]
        for k in range(CONTACTS):
            if k < rng.randint(1, CONTACTS):
                row += [f.name(), self.mobile(), f.email() if rng.random() < 0.7 else "", f.job()]
            else:
                row += ["", "", "", ""]
        row += [f.address() if k == 0 or rng.random() < 0.3 else "" for k in range(3)]
        for _ in range(12):
            orders = rng.randint(0, 40)
            row += [str(orders), f"{orders * rng.randint(100, 90_000) / 100:.2f}"]
        row += [rng.choice(TAGS) if rng.random() < 0.4 else "" for _ in range(10)]
        row += [rng.choice("是否") for _ in range(10)]
        row += [str(f.date_between("-8y", "-1y")), str(f.date_between("-1y")), str(f.date())]
        row += [
            rng.choice(CHANNELS),
            f.province(),
            f.name(),
            rng.choice("ABCD"),
            str(rng.choice((0, 30, 60, 90))),
        ]
        row += [self.note(0, 1, 1) if rng.random() < 0.3 else "" for _ in range(3)]
        return row

    def contract(self, k: int) -> list[str]:
        """The paragraphs of one long contract (~40–120 KB)."""
        f, rng = self.fake, self.rng
        paras = [
            f"合同编号：HT-{2026_0000 + k}",
            f"甲方：{f.company()}，法定代表人：{f.name()}，地址：{f.address()}，联系电话：{self.mobile()}",
            f"乙方：{f.name()}，身份证号码：{f.ssn()}，住址：{f.address()}，手机：{self.mobile()}，"
            f"电子邮箱：{f.email()}",
            f"乙方收款账户：户名{f.name()}，开户行：{rng.choice(BANKS)}{f.city()}支行，账号：{self.card()}",
        ]
        target = rng.randint(40_000, 120_000)
        size = sum(len(p.encode()) for p in paras)
        clause = 0
        while size < target:
            clause += 1
            p = f"第{clause}条 " + self.note(0, 2, 6) + f.paragraph(nb_sentences=rng.randint(3, 8))
            paras.append(p)
            size += len(p.encode())
        paras.append(f"甲方（盖章）：{f.company()}    乙方（签字）：{f.name()}    日期：{f.date()}")
        return paras


def _write_csv(
    path: Path, header: tuple[str, ...], rows: int, row: Callable[[int], list[str]]
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            w.writerow(row(i))
    return path


def generate(out: Path, rows: int, docs: int, seed: int) -> tuple[Path, Path]:
    corpus = Corpus(seed)
    ddir = out / "docs"
    ddir.mkdir(parents=True, exist_ok=True)
    csv_path = _write_csv(out / "unique" / CSV_NAME, HEADER, rows, corpus.row)
    import docx  # python-docx, a baomi dependency (the .docx reader)

    for k in range(docs):
        paras = corpus.contract(k)
        if k % 6 == 5:
            d = docx.Document()
            for p in paras:
                d.add_paragraph(p)
            d.save(str(ddir / f"合同_{k:04d}.docx"))
        else:
            (ddir / f"合同_{k:04d}.txt").write_text("\n".join(paras) + "\n", encoding="utf-8")
    return csv_path, ddir


def generate_wide(out: Path, rows: int, seed: int) -> Path:
    corpus = Corpus(seed + 1)
    return _write_csv(out / "unique" / WIDE_NAME, WIDE_HEADER, rows, corpus.wide_row)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--docs", type=int, default=120)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--wide-rows", type=int, default=50_000, help="rows of crm_wide.csv")
    ap.add_argument("--wide-only", action="store_true", help="write crm_wide.csv alone")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.wide_only:
        path = generate_wide(args.out, args.wide_rows, args.seed)
        print(
            f"{path}: {args.wide_rows:,} rows × {len(WIDE_HEADER)} columns, "
            f"{path.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
        return 0
    csv_path, ddir = generate(args.out, args.rows, args.docs, args.seed)
    mb = csv_path.stat().st_size / 1e6
    dmb = sum(p.stat().st_size for p in ddir.iterdir()) / 1e6
    print(
        f"{csv_path}: {args.rows:,} rows, {mb:.1f} MB; {ddir}: {args.docs} documents, "
        f"{dmb:.1f} MB ({time.perf_counter() - t0:.0f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
