"""Context rules for names: trigger words before, titles after."""

from __future__ import annotations

import pytest

from baomi.engine.prose.rules import clean, rule_spans
from baomi.engine.prose.spans import EntitySpan


@pytest.mark.parametrize(
    ("text", "name", "word"),
    [
        ("甲方：欧阳晓燕，身份证号见附件", "欧阳晓燕", "甲方"),
        ("联系人:黄俊杰 电话13800001111", "黄俊杰", "联系人"),
        ("法定代表人为蒋立新", "蒋立新", "法定代表人"),
        ("收货人：沈丽", "沈丽", "收货人"),
        ("转让方（甲方）：卢志强，身份证号", "卢志强", "转让方"),
        ("请联系邹晓梅女士确认", "邹晓梅", "女士"),
        ("今天和马文先生见面", "马文", "先生"),
        ("这件事找孔德明经理", "孔德明", "经理"),
        ("汇报给韩冬总", "韩冬", "总"),
        # an account name is written straight after 户名, with or without a colon
        ("退款请打到卡号6222023606740167383，户名苑浩", "苑浩", "户名"),
        ("开户名：苑秀兰，开户行：某银行", "苑秀兰", "开户名"),
        ("收款账户名柏阳。", "柏阳", "账户名"),
        ("姓名欧阳晓燕 电话13800001111", "欧阳晓燕", "姓名"),
        ("卡号尾号0326，户名单桂香", "单桂香", "户名"),
    ],
)
def test_rules_find_the_name(text: str, name: str, word: str) -> None:
    found = {(text[r.start : r.end], r.word) for r in rule_spans(text)}
    assert (name, word) in found


@pytest.mark.parametrize(
    "text",
    [
        "甲方：北京某某科技有限公司",
        "请在合同上签字盖章",
        "联系人：待定",
        "先生们女士们",
        "由公司副总裁主持",
        "客户名单已更新",
        "客户名称：某某公司",
        "请核对账户名称",
        "户名与卡号不一致",
    ],
)
def test_rules_stay_quiet(text: str) -> None:
    assert rule_spans(text) == []


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("「王伟」说", EntitySpan(0, 4, "PER", 0.9), (1, 3)),
        ("，，", EntitySpan(0, 2, "ORG", 0.9), None),
        ("王说", EntitySpan(0, 1, "PER", 0.9), None),
        ("Tom说", EntitySpan(0, 3, "PER", 0.9), (0, 3)),
        ("读《马文传》", EntitySpan(2, 4, "PER", 0.9), None),
        ("文三路100号13800001111", EntitySpan(0, 18, "ADDR", 0.9), (0, 7)),
        ("大厦B塔2203", EntitySpan(0, 8, "ADDR", 0.9), (0, 8)),
        ("《书》里马文说《歌》", EntitySpan(4, 6, "PER", 0.9), (4, 6)),
        # a function word after a name is not part of it (回访：杨想对服务满意)
        ("回访：杨想对服务满意", EntitySpan(3, 6, "PER", 0.9), (3, 5)),
        ("王小的", EntitySpan(0, 3, "PER", 0.9), (0, 2)),
        ("李对", EntitySpan(0, 2, "PER", 0.9), (0, 2)),
        ("在路对面", EntitySpan(1, 4, "ADDR", 0.9), (1, 4)),
    ],
)
def test_clean(text: str, span: EntitySpan, expected: tuple[int, int] | None) -> None:
    out = clean(text, span)
    assert (None if out is None else (out.start, out.end)) == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Buyer: John Smith, residing at Flat 3", ["John Smith"]),
        ("Dear John,", ["John"]),
        ("Mr. Wang Xiaoming said he would sign", ["Wang Xiaoming"]),
        ("Signed by: Li Na on 2024-01-02", ["Li Na"]),
        ("Mrs Smith Called twice", ["Smith"]),  # the words that spell names, from the first
        ("Dear Sir, thank you", []),  # no name's spelling
        ("Customer: Service Desk", []),
        ("Customer Service: call us", []),  # a party needs its colon
        ("Mrs.Smith", ["Smith"]),
        ("Alumni Name: Tom", ["Tom"]),
        # a CRM note's verbs of talking to someone (the names were kept)
        ("Called Ernest Richards at 954.632.3194 about the invoice.", ["Ernest Richards"]),
        ("spoke with Mary Jones today", ["Mary Jones"]),
        ("followed up with Li Na", ["Li Na"]),
        ("Called Support Team", []),
        ("called back", []),
        ("Visited Paris in May", []),  # places are visited: no verb of talking to someone
        ("Called 강민지 at 02-8100-3390", ["강민지"]),  # a Korean name in Hangul
        ("Called Émilie Benoit at 03 66 95 32 27", ["Émilie Benoit"]),  # an accented capital
        ("Dear 김민준,", ["김민준"]),
        # no name's spelling for the trigger rule, and never "S" (the given-name rule's)
        ("Called Sébastien-Joseph Ruiz at +33", []),
    ],
)
def test_english_titles_and_parties_name_latin_names(text: str, names: list[str]) -> None:
    """An English letter, e-mail or contract names people after a form of address or a party
    and a colon; the Chinese models read such names poorly (``Buyer: John Smith`` was kept).
    The person recognizer's prefilter lets every such text through."""
    found = [(text[r.start : r.end], r.rule) for r in rule_spans(text) if r.rule == "trigger"]
    assert found == [(n, "trigger") for n in names]
    if names:
        import polars as pl

        from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer

        prefilter = str(ProsePersonNameRecognizer.prefilter)
        assert pl.Series([text]).str.contains(prefilter).item()
