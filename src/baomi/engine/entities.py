"""The entity vocabulary (DESIGN.md): one table, the single source of truth.

Categories follow GB/T 35273-2020 Annex A (个人信息举例); "sensitive" follows PIPL-28 and
GB/T 35273-2020 Annex B.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntityInfo:
    name: str
    label_zh: str
    label_en: str
    category: str  # GB/T 35273-2020 Annex A category (Chinese, as in the standard)
    sensitive: bool  # PIPL-28
    #: A strong identifier links records of one person (used to count individuals).
    identifier: bool


ENTITIES: dict[str, EntityInfo] = {
    e.name: e
    for e in (
        EntityInfo("CN_RESIDENT_ID", "居民身份证号", "resident ID", "个人身份信息", True, True),
        EntityInfo("CN_MOBILE", "手机号", "mobile number", "个人基本资料", False, True),
        EntityInfo("CN_LANDLINE", "固定电话", "landline number", "个人基本资料", False, False),
        EntityInfo(
            "PHONE_NUMBER",
            "国际电话号码",
            "international phone number",
            "个人基本资料",
            False,
            True,
        ),
        EntityInfo("EMAIL", "电子邮箱", "e-mail address", "个人基本资料", False, True),
        EntityInfo("BANK_CARD", "银行卡号", "bank card number", "个人财产信息", True, True),
        EntityInfo("CN_PASSPORT", "护照号", "passport number", "个人身份信息", True, True),
        EntityInfo(
            "PASSPORT",
            "护照号码（其他国家或地区）",
            "passport number (other countries)",
            "个人身份信息",
            True,
            True,
        ),
        EntityInfo(
            "CN_HMT_PERMIT", "港澳台通行证", "HK/Macao/Taiwan permit", "个人身份信息", True, True
        ),
        EntityInfo(
            "TW_ID", "台湾身份证号码", "Taiwan identity card number", "个人身份信息", True, True
        ),
        EntityInfo(
            "MO_ID", "澳门身份证号码", "Macao identity card number", "个人身份信息", True, True
        ),
        EntityInfo(
            "HK_ID", "香港身份证号码", "Hong Kong identity card number", "个人身份信息", True, True
        ),
        EntityInfo(
            "CN_USCC", "统一社会信用代码", "unified social credit code", "组织信息", False, False
        ),
        EntityInfo("CN_LICENSE_PLATE", "车牌号", "licence plate", "其他信息", False, False),
        EntityInfo("PERSON_NAME", "姓名", "person name", "个人基本资料", False, False),
        EntityInfo("ADDRESS", "地址", "address", "个人基本资料", False, False),
        EntityInfo("ORGANIZATION", "单位名称", "organisation", "组织信息", False, False),
        EntityInfo("IP_ADDRESS", "IP地址", "IP address", "网络身份标识信息", False, False),
        EntityInfo("DATE_OF_BIRTH", "出生日期", "date of birth", "个人基本资料", False, False),
    )
}


#: The GB/T 35273-2020 Annex A categories of the table above, in English.
CATEGORY_LABELS_EN: dict[str, str] = {
    "个人基本资料": "basic personal data",
    "个人身份信息": "personal identity information",
    "个人财产信息": "personal property information",
    "网络身份标识信息": "online identifiers",
    "组织信息": "organisation information",
    "其他信息": "other information",
}


def category_label(name: str, lang: str) -> str:
    """A category's name in ``lang`` (``zh`` or ``en``): an Annex A category of the table above
    or a PIPL-28 sensitive category (:mod:`baomi.engine.categories`); as given when unknown."""
    if lang != "en":
        return name
    if name in CATEGORY_LABELS_EN:
        return CATEGORY_LABELS_EN[name]
    from baomi.engine.categories import CATEGORIES

    found = CATEGORIES.get(name)
    return found.label_en if found is not None else name


def vocabulary_label(name: str, lang: str) -> str:
    """What a name of the vocabulary is called in ``lang``: an entity (``BANK_CARD`` →
    银行卡号 / bank card number) or a category (:func:`category_label`)."""
    entity = ENTITIES.get(name)
    if entity is not None:
        return entity.label_en if lang == "en" else entity.label_zh
    return category_label(name, lang)
