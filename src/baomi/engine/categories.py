"""Sensitive PI categories that have no identifier to match (PIPL-28).

Some sensitive personal information has no format a pattern could find: a diagnosis, a
religion, a fingerprint template, the fact that a customer is a child. It is found from a
table's column headers (Chinese and English) and from keywords in text, and reported as a
category rather than an entity.

The categories are those of PIPL-28 (「生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹
等信息，以及不满十四周岁未成年人的个人信息」), with examples from GB/T 35273-2020 Annex B
(Table B.1) and §3.2 note 1. :func:`category_for_header` and :func:`categories_in_text` return
the category's Chinese name as written in PIPL-28 (the key of :data:`CATEGORIES`).

Header hints are matched as substrings for Chinese and as whole words (split on anything that
is not a letter or digit, and on camelCase) for English, so ``page`` is not ``age`` and
``bloodType`` is ``blood type``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class SensitiveCategory:
    """One PIPL-28 sensitive category and the words that reveal it."""

    name: str  # Chinese, as in PIPL-28
    label_en: str
    source: str  # the clause that makes it sensitive
    #: Column headers: Chinese substrings, English whole words (``_``/space-separated phrases).
    headers_zh: tuple[str, ...]
    headers_en: tuple[str, ...]
    #: Keywords in text: Chinese substrings, English whole words.
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]


_TABLE = (
    SensitiveCategory(
        "医疗健康",
        "medical and health",
        "PIPL-28; GB/T 35273-2020 Annex B (个人健康生理信息)",
        (
            "病历",
            "病史",
            "病情",
            "病症",
            "诊断",
            "疾病",
            "过敏",
            "健康状况",
            "体检",
            "血型",
            "用药",
            "处方",
            "医嘱",
            "手术",
            "住院",
            "就诊",
            "检验",
            "残疾",
            "传染病",
            "孕",
        ),
        (
            "diagnosis",
            "medical",
            "health",
            "disease",
            "allergy",
            "allergies",
            "blood type",
            "prescription",
            "medication",
            "illness",
            "symptom",
            "symptoms",
            "disability",
            "pregnancy",
            "medical history",
        ),
        (
            "病历",
            "病史",
            "确诊",
            "诊断为",
            "患有",
            "过敏",
            "住院",
            "手术",
            "处方",
            "用药记录",
            "体检报告",
            "传染病",
            "艾滋病",
            "乙肝",
            "抑郁症",
            "残疾",
            "怀孕",
        ),
        (
            "diagnosed",
            "diagnosis",
            "allergy",
            "allergic",
            "hiv",
            "hepatitis",
            "prescription",
            "hospitalised",
            "hospitalized",
            "pregnant",
        ),
    ),
    SensitiveCategory(
        "宗教信仰",
        "religious belief",
        "PIPL-28; GB/T 35273-2020 Annex B (其他信息: 宗教信仰)",
        ("宗教", "信仰", "教派"),
        ("religion", "religious", "faith", "belief", "denomination"),
        (
            "宗教",
            "信仰",
            "佛教徒",
            "基督徒",
            "基督教",
            "天主教",
            "伊斯兰教",
            "穆斯林",
            "道教",
            "受洗",
            "礼拜",
        ),
        ("religion", "religious", "christian", "muslim", "buddhist", "catholic"),
    ),
    SensitiveCategory(
        "生物识别",
        "biometrics",
        "PIPL-28; GB/T 35273-2020 Annex B (个人生物识别信息)",
        ("指纹", "人脸", "面部", "虹膜", "声纹", "掌纹", "基因", "生物识别", "步态", "耳廓"),
        (
            "fingerprint",
            "face",
            "facial",
            "iris",
            "voiceprint",
            "palmprint",
            "biometric",
            "biometrics",
            "dna",
            "gene",
            "genome",
            "face id",
        ),
        (
            "指纹",
            "人脸识别",
            "人脸信息",
            "面部特征",
            "虹膜",
            "声纹",
            "掌纹",
            "基因检测",
            "基因序列",
            "生物识别",
        ),
        (
            "fingerprint",
            "fingerprints",
            "biometric",
            "biometrics",
            "iris scan",
            "voiceprint",
            "facial recognition",
            "dna",
        ),
    ),
    SensitiveCategory(
        "未成年人",
        "minors under 14",
        "PIPL-28, PIPL-31 (不满十四周岁); GB/T 35273-2020 §3.2 note 1",
        ("未成年", "儿童", "监护人", "家长", "幼儿", "孩子", "子女", "学龄"),
        (
            "guardian",
            "minor",
            "minors",
            "child",
            "children",
            "kid",
            "kids",
            "pupil",
            "parent",
            "under 14",
        ),
        (
            "未成年",
            "不满十四周岁",
            "十四周岁以下",
            "14岁以下",
            "14周岁以下",
            "儿童",
            "监护人",
            "幼儿园",
            "小学生",
        ),
        ("minor", "minors", "child", "children", "guardian", "under 14"),
    ),
    SensitiveCategory(
        "行踪轨迹",
        "whereabouts and precise location",
        "PIPL-28; GB/T 35273-2020 Annex B (行踪轨迹、住宿信息、精准定位信息)",
        (
            "行踪",
            "轨迹",
            "定位",
            "位置",
            "经纬度",
            "经度",
            "纬度",
            "行程",
            "出行",
            "住宿",
            "入住",
            "打卡",
            "签到",
            "gps",
        ),
        (
            "location",
            "gps",
            "latitude",
            "longitude",
            "lat",
            "lng",
            "lon",
            "trajectory",
            "whereabouts",
            "geo",
            "geolocation",
            "check in",
            "checkin",
            "trip",
        ),
        (
            "行踪",
            "轨迹",
            "定位",
            "经纬度",
            "行程记录",
            "出行记录",
            "住宿记录",
            "开房记录",
            "实时位置",
            "gps",
        ),
        ("gps", "geolocation", "whereabouts", "trajectory", "latitude", "longitude"),
    ),
    SensitiveCategory(
        "金融账户",
        "financial accounts",
        "PIPL-28; GB/T 35273-2020 Annex B (个人财产信息)",
        (
            "银行账",
            "银行卡",
            "账户",
            "帐户",
            "开户",
            "存款",
            "余额",
            "征信",
            "信用记录",
            "贷款",
            "流水",
            "收入",
            "工资",
            "薪资",
            "资产",
            "支付宝",
            "交易记录",
        ),
        (
            "bank",
            "iban",
            "swift",
            "account number",
            "account no",
            "balance",
            "credit",
            "credit score",
            "loan",
            "salary",
            "income",
            "deposit",
            "transaction",
            "transactions",
        ),
        (
            "银行账户",
            "银行卡",
            "开户行",
            "存款",
            "余额",
            "征信",
            "信用报告",
            "贷款",
            "流水",
            "工资",
            "交易记录",
        ),
        ("iban", "bank account", "credit report", "salary", "loan"),
    ),
    SensitiveCategory(
        "特定身份",
        "specific identity",
        "PIPL-28; GB/T 35273-2020 Annex B (其他信息: 性取向、婚史、未公开的违法犯罪记录); GB/T 45574-2025 §6.3",
        (
            "犯罪",
            "前科",
            "违法记录",
            "刑事",
            "性取向",
            "婚史",
            "政治面貌",
            "党员",
            "退役军人",
            "服刑",
        ),
        (
            "criminal",
            "conviction",
            "convictions",
            "criminal record",
            "sexual orientation",
            "orientation",
            "marital history",
        ),
        ("犯罪记录", "前科", "违法记录", "刑满释放", "服刑", "性取向", "同性恋", "婚史"),
        ("criminal record", "convicted", "sexual orientation"),
    ),
)

#: The table, keyed by the PIPL-28 Chinese name; read-only, a reviewer checks it against the law.
CATEGORIES: Mapping[str, SensitiveCategory] = MappingProxyType({c.name: c for c in _TABLE})

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _words(header: str) -> str:
    """``"bloodType_v2"`` → ``" blood type v2 "`` (spaces around every word)."""
    return " " + " ".join(_NON_ALNUM.split(_CAMEL.sub(" ", header).lower())).strip() + " "


def category_for_header(header: str) -> str | None:
    """The sensitive category a column header points at, or ``None`` (first match in table order)."""
    if not header:
        return None
    lower = header.lower()
    words = _words(header)
    for c in _TABLE:
        if any(h in lower for h in c.headers_zh) or any(f" {h} " in words for h in c.headers_en):
            return c.name
    return None


@cache
def _keyword_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    zh: list[str] = []
    en: list[str] = []
    for c in _TABLE:
        for k in c.keywords_zh:
            owner.setdefault(k, c.name)
            zh.append(k)
        for k in c.keywords_en:
            owner.setdefault(k, c.name)
            en.append(k)
    by_len = sorted(set(zh), key=len, reverse=True)
    en_alt = "|".join(re.escape(k) for k in sorted(set(en), key=len, reverse=True))
    zh_alt = "|".join(re.escape(k) for k in by_len)
    return re.compile(f"(?<![a-z])(?:{en_alt})(?![a-z])|{zh_alt}"), owner


def categories_in_text(text: str) -> set[str]:
    """Sensitive categories whose keywords occur in ``text`` (Chinese substrings, English words)."""
    if not text:
        return set()
    rx, owner = _keyword_regex()
    return {owner[m.group()] for m in rx.finditer(text.lower())}
