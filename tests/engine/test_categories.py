from __future__ import annotations

import pytest

from baomi.engine.categories import CATEGORIES, categories_in_text, category_for_header


def test_table_covers_pipl28_and_cites_it() -> None:
    assert set(CATEGORIES) == {
        "医疗健康",
        "宗教信仰",
        "生物识别",
        "未成年人",
        "行踪轨迹",
        "金融账户",
        "特定身份",
    }
    for c in CATEGORIES.values():
        assert "PIPL-28" in c.source
        assert c.headers_zh and c.headers_en and c.keywords_zh and c.keywords_en
    with pytest.raises(TypeError):
        CATEGORIES["x"] = CATEGORIES["医疗健康"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("病历号", "医疗健康"),
        ("过敏史", "医疗健康"),
        ("bloodType", "医疗健康"),
        ("diagnosis", "医疗健康"),
        ("宗教信仰", "宗教信仰"),
        ("Religion", "宗教信仰"),
        ("指纹模板", "生物识别"),
        ("face_image", "生物识别"),
        ("监护人", "未成年人"),
        ("guardian_name", "未成年人"),
        ("GPS定位", "行踪轨迹"),
        ("latitude", "行踪轨迹"),
        ("last_location", "行踪轨迹"),
        ("存款余额", "金融账户"),
        ("monthlySalary", "金融账户"),
        ("犯罪记录", "特定身份"),
        ("criminal_record", "特定身份"),
        ("page", None),  # "age" is not a word here
        ("image_url", None),
        ("姓名", None),
        ("联系电话", None),
        ("", None),
    ],
)
def test_category_for_header(header: str, category: str | None) -> None:
    assert category_for_header(header) == category


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("患者确诊乙肝，需定期复查", {"医疗健康"}),
        ("客户为佛教徒", {"宗教信仰"}),
        ("已采集指纹和人脸识别信息", {"生物识别"}),
        ("该用户为不满十四周岁的儿童", {"未成年人"}),
        ("导出该车辆的GPS轨迹", {"行踪轨迹"}),
        ("He was diagnosed last year and is a Christian", {"医疗健康", "宗教信仰"}),
        ("查询征信和银行账户流水", {"金融账户"}),
        ("有犯罪记录", {"特定身份"}),
        ("订单已发货", set()),
        ("The diagnostics page loaded", set()),  # whole English words only
        ("", set()),
    ],
)
def test_categories_in_text(text: str, categories: set[str]) -> None:
    assert categories_in_text(text) == categories
