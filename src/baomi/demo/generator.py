"""Write a realistic, seeded seller data set and return where every piece of PI is.

The data set is what a seller hands over in due diligence: a GBK customer list with messy
formats and decoy number columns, a CRM export (.xlsx, several sheets), nested order records
(.jsonl), share-transfer contracts (.txt in UTF-8 and GB18030, .docx) and a health survey with a
sensitive-category column and minors. Every person is generated; identifiers carry computed check
digits (decoys carry wrong ones). The ground truth is returned, not written into the data set, so
that ``baomi scan DIR`` does not scan it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from baomi.demo import identifiers as ids
from baomi.demo.people import REFERENCE_DATE, Person, PersonFactory
from baomi.demo.truth import ColumnFact, DemoTruth, SpanText, TruthSpan

log = logging.getLogger(__name__)

CUSTOMERS_CSV = "客户名单.csv"
CRM_XLSX = "CRM导出.xlsx"
ORDERS_JSONL = "orders.jsonl"
HEALTH_CSV = "health_survey.csv"
CONTRACT_DIR = "合同"
CONTRACTS = 3  # 股权转让协议_001 … _003; _003 is GB18030, _001/_002 also as .docx
CONTRACTS_DOCX = (1, 2)
CONTRACT_GB18030 = 3

DEFAULT_SEED = 20240601
DEFAULT_ROWS = 2000

_PRODUCTS = (
    "保温杯 500ml",
    "无线鼠标",
    "有机大米 5kg",
    "儿童绘本套装",
    "蓝牙耳机",
    "空气净化器滤网",
    "茶叶礼盒",
    "运动鞋",
    "办公椅",
    "电饭煲",
)
_DISEASES = (
    "无",
    "无",
    "无",
    "高血压",
    "2型糖尿病",
    "哮喘",
    "乙肝病毒携带",
    "抑郁症，规律服药",
    "心脏支架术后",
    "甲状腺结节",
    "过敏性鼻炎",
)
_ALLERGIES = ("无", "无", "青霉素过敏", "海鲜过敏", "花粉过敏", "头孢类过敏")
_HOSPITALS = ("市第一人民医院", "市中医院", "区妇幼保健院", "社区卫生服务中心", "无")


class _Builder:
    """Collects spans and the people that appear while the files are written."""

    def __init__(self, root: Path, seed: int, rows: int) -> None:
        self.root = root
        self.rows = rows
        self.f = PersonFactory(seed)
        self.rng = self.f.rng
        self.spans: list[TruthSpan] = []
        self.seen: set[int] = set()
        self.customers: list[Person] = []

    # -- truth helpers --------------------------------------------------------------------
    def cell(
        self,
        file: str,
        sheet: str | None,
        row: int,
        column: str | None,
        value: str,
        entity: str,
        who: Person | None = None,
    ) -> str:
        if value:
            self.spans.append(TruthSpan(file, sheet, row, column, 0, len(value), entity))
        if who is not None:
            self.seen.add(who.key)
        return value

    def text(self, file: str, sheet: str | None, row: int, column: str | None, t: SpanText) -> str:
        for start, end, entity in t.spans:
            self.spans.append(TruthSpan(file, sheet, row, column, start, end, entity))
        return t.text

    def note_cell(
        self, file: str, sheet: str | None, row: int, column: str, p: Person, pi_share: float
    ) -> str:
        """A remark: with embedded PI for about ``pi_share`` of the rows, else plain."""
        if self.rng.random() >= pi_share:
            return self.f.plain_note()
        other = self.f.person() if self.rng.random() < 0.15 else None
        note = self.f.note(p, other)  # most templates leave ``other`` out
        self.seen.add(p.key)
        self.seen.update(note.others)
        return self.text(file, sheet, row, column, note)

    # -- files ----------------------------------------------------------------------------
    def customers_csv(self) -> None:
        """客户名单.csv — GBK, messy formats, three decoy number columns."""
        fn = CUSTOMERS_CSV
        header = [
            "客户编号",
            "姓名",
            "性别",
            "身份证号",
            "手机",
            "邮箱",
            "银行卡号",
            "地址",
            "公司",
            "订单号",
            "流水号",
            "会员编号",
            "注册日期",
            "备注",
        ]
        out: list[list[str]] = []
        for r in range(self.rows):
            p = self.f.person()
            self.customers.append(p)
            reg = dt.date(2019, 1, 1) + dt.timedelta(days=self.rng.randrange(2500))
            email = p.email if self.rng.random() < 0.85 else ""
            card = self.f.card_text(p) if self.rng.random() < 0.7 else ""
            out.append(
                [
                    f"C{100000 + r}",
                    self.cell(fn, None, r, "姓名", p.name, "PERSON_NAME", p),
                    "男" if p.male else "女",
                    self.cell(fn, None, r, "身份证号", self.f.id_text(p), "CN_RESIDENT_ID"),
                    self.cell(fn, None, r, "手机", self.f.mobile_text(p), "CN_MOBILE"),
                    self.cell(fn, None, r, "邮箱", email, "EMAIL"),
                    self.cell(fn, None, r, "银行卡号", card, "BANK_CARD"),
                    self.cell(fn, None, r, "地址", p.address, "ADDRESS"),
                    self.cell(fn, None, r, "公司", p.company, "ORGANIZATION"),
                    ids.decoy_order_number(self.rng, self.f.address_codes),
                    ids.serial_number(self.rng),
                    ids.member_number(self.rng),
                    reg.isoformat(),
                    self.note_cell(fn, None, r, "备注", p, 0.45),
                ]
            )
        with (self.root / fn).open("w", encoding="gbk", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(out)

    def crm_xlsx(self) -> None:
        """CRM导出.xlsx — customers (some mobiles stored as numbers), follow-ups, a notes sheet."""
        from openpyxl import Workbook

        fn = CRM_XLSX
        staff = [self.f.person(min_age=22, max_age=50) for _ in range(6)]
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "客户信息"
        ws.append(["客户ID", "姓名", "手机号", "邮箱", "单位", "地址", "客户经理"])
        n = max(self.rows // 4, 5)
        crm_people: list[Person] = []
        for r in range(n):
            p = self._known_or_new(0.7)
            crm_people.append(p)
            mobile_text = self.f.mobile_text(p)
            mobile: str | int = mobile_text
            if mobile_text.isascii() and mobile_text.isdigit() and self.rng.random() < 0.5:
                mobile = int(mobile_text)  # Excel users type numbers; stored as a number cell
            mgr = self.rng.choice(staff)
            ws.append(
                [
                    f"K{20000 + r}",
                    self.cell(fn, "客户信息", r, "姓名", p.name, "PERSON_NAME", p),
                    mobile,
                    self.cell(fn, "客户信息", r, "邮箱", p.email, "EMAIL"),
                    self.cell(fn, "客户信息", r, "单位", p.company, "ORGANIZATION"),
                    self.cell(fn, "客户信息", r, "地址", p.address, "ADDRESS"),
                    self.cell(fn, "客户信息", r, "客户经理", mgr.name, "PERSON_NAME", mgr),
                ]
            )
            self.cell(fn, "客户信息", r, "手机号", mobile_text, "CN_MOBILE")
        ws2 = wb.create_sheet("跟进记录")
        ws2.append(["日期", "客户", "跟进人", "跟进内容"])
        for r in range(max(self.rows // 3, 5)):
            p = self.rng.choice(crm_people)
            mgr = self.rng.choice(staff)
            day = dt.datetime(2025, 1, 1) + dt.timedelta(days=self.rng.randrange(300))
            ws2.append(
                [
                    day,
                    self.cell(fn, "跟进记录", r, "客户", p.name, "PERSON_NAME", p),
                    self.cell(fn, "跟进记录", r, "跟进人", mgr.name, "PERSON_NAME", mgr),
                    self.note_cell(fn, "跟进记录", r, "跟进内容", p, 0.6),
                ]
            )
        ws3 = wb.create_sheet("说明")
        ws3.append(["说明"])
        ws3.append(["本表由CRM系统导出，仅供尽职调查使用"])
        ws3.append([f"导出日期：{REFERENCE_DATE.isoformat()}"])
        fixed = dt.datetime(2026, 1, 1, 9, 0, 0)
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.save(self.root / fn)
        _fix_zip_times(self.root / fn, fixed)

    def orders_jsonl(self) -> None:
        """orders.jsonl — nested records: buyer, items, shipping, payment, remark."""
        fn = ORDERS_JSONL
        lines: list[str] = []
        for r in range(max(self.rows // 2, 5)):
            buyer = self._known_or_new(0.8)
            receiver = buyer if self.rng.random() < 0.75 else self.f.person()
            phone_text = self.f.mobile_text(buyer)
            phone: str | int = phone_text
            if phone_text.isdigit() and phone_text.isascii() and self.rng.random() < 0.2:
                phone = int(phone_text)
            items = [
                {
                    "name": self.rng.choice(_PRODUCTS),
                    "qty": self.rng.randrange(1, 4),
                    "price": round(self.rng.uniform(9, 999), 2),
                }
                for _ in range(self.rng.randrange(1, 4))
            ]
            record: dict[str, Any] = {
                "order_no": f"DD{20250000000000 + r * 7919}",
                "created_at": (
                    dt.datetime(2025, 1, 1) + dt.timedelta(minutes=self.rng.randrange(500_000))
                ).isoformat(),
                "buyer": {
                    "name": self.cell(fn, None, r, "buyer.name", buyer.name, "PERSON_NAME", buyer),
                    "phone": phone,
                    "member_no": ids.member_number(self.rng),
                },
                "items": items,
                "shipping": {
                    "receiver": self.cell(
                        fn, None, r, "shipping.receiver", receiver.name, "PERSON_NAME", receiver
                    ),
                    "phone": self.cell(
                        fn, None, r, "shipping.phone", self.f.mobile_text(receiver), "CN_MOBILE"
                    ),
                    "address": self.cell(
                        fn, None, r, "shipping.address", receiver.address, "ADDRESS"
                    ),
                },
            }
            self.cell(fn, None, r, "buyer.phone", phone_text, "CN_MOBILE")
            if self.rng.random() < 0.5:
                record["payment"] = {
                    "method": "银联卡",
                    "card": self.cell(
                        fn, None, r, "payment.card", self.f.card_text(buyer), "BANK_CARD"
                    ),
                }
            record["remark"] = self.note_cell(fn, None, r, "remark", buyer, 0.3)
            lines.append(json.dumps(record, ensure_ascii=False))
        (self.root / fn).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def contracts(self) -> None:
        """合同/股权转让协议_00N.txt (one GB18030) and .docx copies of some."""
        folder = self.root / CONTRACT_DIR
        folder.mkdir(exist_ok=True)
        for n in range(1, CONTRACTS + 1):
            stem = f"股权转让协议_{n:03d}"
            lines = self._contract_lines()
            txt = f"{CONTRACT_DIR}/{stem}.txt"
            encoding = "gb18030" if n == CONTRACT_GB18030 else "utf-8"
            body = [self.text(txt, None, i, None, t) for i, t in enumerate(lines)]
            (folder / f"{stem}.txt").write_text("\n".join(body) + "\n", encoding=encoding)
            if n in CONTRACTS_DOCX:
                self._contract_docx(folder / f"{stem}.docx", f"{CONTRACT_DIR}/{stem}.docx", lines)

    def _contract_lines(self) -> list[SpanText]:
        a, b = self.f.person(min_age=30, max_age=70), self.f.person(min_age=25, max_age=65)
        self.seen.update((a.key, b.key))
        company = self.f.company()
        pct = self.rng.choice((10, 20, 30, 51, 60, 100))
        amount = self.rng.randrange(1, 500) * 10000
        day = dt.date(2025, 1, 1) + dt.timedelta(days=self.rng.randrange(330))
        out: list[SpanText] = [SpanText().add("股权转让协议"), SpanText()]
        for role, p in (("甲方（转让方）", a), ("乙方（受让方）", b)):
            out.append(SpanText().add(f"{role}：").pi(p.name, "PERSON_NAME"))
            out.append(SpanText().add("身份证号码：").pi(self.f.id_text(p), "CN_RESIDENT_ID"))
            out.append(SpanText().add("住址：").pi(p.address, "ADDRESS"))
            out.append(SpanText().add("联系电话：").pi(self.f.mobile_text(p), "CN_MOBILE"))
            out.append(SpanText())
        out += [
            SpanText()
            .add("鉴于")
            .pi(company, "ORGANIZATION")
            .add(f"（以下简称“目标公司”）系依法设立的有限责任公司，甲方持有目标公司{pct}%的股权。")
            .add("经甲乙双方友好协商，就股权转让事宜达成如下协议："),
            SpanText().add(
                f"第一条 甲方同意将其持有的目标公司{pct}%股权以人民币{amount}元转让给乙方。"
            ),
            SpanText()
            .add("第二条 乙方应于本协议签订之日起十五日内将转让款支付至甲方指定账户：开户行")
            .pi(a.bank, "ORGANIZATION")
            .add("，户名")
            .pi(a.name, "PERSON_NAME")
            .add("，账号")
            .pi(self.f.card_text(a), "BANK_CARD")
            .add("。"),
            SpanText().add(
                "第三条 目标公司的客户资料、员工信息等个人信息的移交，应当符合《个人信息保护法》"
                "第二十二条的规定，并告知个人接收方的名称和联系方式。"
            ),
            SpanText()
            .add("第四条 双方联系人：甲方")
            .pi(a.name, "PERSON_NAME")
            .add("（邮箱")
            .pi(a.email, "EMAIL")
            .add("），乙方")
            .pi(b.name, "PERSON_NAME")
            .add("（邮箱 ")
            .pi(b.email, "EMAIL")
            .add("）。"),
            SpanText().add("第五条 本协议一式三份，甲乙双方各执一份，目标公司留存一份。"),
            SpanText(),
            SpanText().add(f"签署日期：{day.year}年{day.month}月{day.day}日"),
        ]
        # Signature block: the two names again (in .docx it becomes a table).
        out.append(SpanText().add("甲方（签字）：").pi(a.name, "PERSON_NAME"))
        out.append(SpanText().add("乙方（签字）：").pi(b.name, "PERSON_NAME"))
        return out

    def _contract_docx(self, path: Path, rel: str, lines: list[SpanText]) -> None:
        """Body paragraphs, then the two signature lines as a one-row table (DESIGN.md order)."""
        import docx

        document = docx.Document()
        body, signatures = lines[:-2], lines[-2:]
        for i, t in enumerate(body):
            document.add_paragraph(self.text(rel, None, i, None, t))
        table = document.add_table(rows=1, cols=2)
        for j, t in enumerate(signatures):
            table.cell(0, j).text = self.text(rel, None, len(body) + j, None, t)
        fixed = dt.datetime(2026, 1, 1, 9, 0, 0)
        document.core_properties.created = fixed
        document.core_properties.modified = fixed
        document.save(str(path))
        _fix_zip_times(path, fixed)

    def health_csv(self) -> int:
        """health_survey.csv — UTF-8 with BOM; 病史/过敏史 are health data; some minors."""
        fn = HEALTH_CSV
        header = ["问卷编号", "姓名", "性别", "年龄", "联系电话", "监护人", "病史", "过敏史"]
        header += ["近期就诊医院", "填写日期"]
        out: list[list[str]] = []
        minors = 0
        for r in range(max(self.rows // 5, 5)):
            minor = self.rng.random() < 0.12
            p = self.f.person(min_age=6, max_age=17) if minor else self._known_or_new(0.5)
            age = p.age()
            guardian = ""
            if age < 18:
                g = self.f.person(min_age=30, max_age=50)
                guardian = self.cell(fn, None, r, "监护人", g.name, "PERSON_NAME", g)
                minors += age < 14
            filled = dt.date(2025, 3, 1) + dt.timedelta(days=self.rng.randrange(200))
            out.append(
                [
                    f"Q{r + 1:05d}",
                    self.cell(fn, None, r, "姓名", p.name, "PERSON_NAME", p),
                    "男" if p.male else "女",
                    str(age),
                    self.cell(fn, None, r, "联系电话", self.f.mobile_text(p), "CN_MOBILE"),
                    guardian,
                    self.rng.choice(_DISEASES),
                    self.rng.choice(_ALLERGIES),
                    self.rng.choice(_HOSPITALS),
                    filled.isoformat(),
                ]
            )
        with (self.root / fn).open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(out)
        return minors

    def _known_or_new(self, share_known: float) -> Person:
        if self.customers and self.rng.random() < share_known:
            return self.rng.choice(self.customers)
        return self.f.person()


def _fix_zip_times(path: Path, when: dt.datetime) -> None:
    """Rewrite an .xlsx or .docx with fixed entry times and ``modified`` stamp (openpyxl and
    python-docx write the time of saving), so that a seed gives byte-identical files."""
    import re
    import zipfile

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)


def generate_demo(
    directory: Path | str, *, seed: int = DEFAULT_SEED, rows: int = DEFAULT_ROWS
) -> DemoTruth:
    """Write the demo seller data set into ``directory`` (created if missing).

    ``rows`` is the size of the customer list; the other files scale with it. The same seed and
    rows give the same content. Returns the ground truth; nothing but the data set is written.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    b = _Builder(root, seed, rows)
    b.customers_csv()
    b.crm_xlsx()
    b.orders_jsonl()
    b.contracts()
    minors = b.health_csv()
    files = tuple(sorted({s.file for s in b.spans} | {CUSTOMERS_CSV, HEALTH_CSV}))
    encodings = {f: "utf-8" for f in files if f.endswith((".txt", ".jsonl"))}
    encodings |= {
        CUSTOMERS_CSV: "gbk",
        HEALTH_CSV: "utf-8-sig",
        f"{CONTRACT_DIR}/股权转让协议_{CONTRACT_GB18030:03d}.txt": "gb18030",
    }
    columns = (
        ColumnFact(CUSTOMERS_CSV, None, "订单号", "decoy", "18 digits, GB 11643 check fails"),
        ColumnFact(CUSTOMERS_CSV, None, "流水号", "decoy", "16 random digits, ~10% pass Luhn"),
        ColumnFact(CUSTOMERS_CSV, None, "会员编号", "decoy", "11 digits starting 10-12"),
        ColumnFact(HEALTH_CSV, None, "病史", "健康生理信息", "PIPL-28 sensitive"),
        ColumnFact(HEALTH_CSV, None, "过敏史", "健康生理信息", "PIPL-28 sensitive"),
        ColumnFact(HEALTH_CSV, None, "年龄", "不满十四周岁未成年人", "PIPL-28, PIPL-31"),
    )
    log.info("demo data set written: %d files, %d PI spans", len(files), len(b.spans))
    return DemoTruth(
        root=root,
        seed=seed,
        rows=rows,
        files=files,
        spans=tuple(b.spans),
        columns=columns,
        individuals=len(b.seen),
        minors_under_14=minors,
        encodings=encodings,
    )
