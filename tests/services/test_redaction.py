"""Free text kept for people who need no customer's personal information from it (PIPL-6)."""

from __future__ import annotations

from baomi.services.redaction import mask_text
from tests.vault_support import mobile, resident_id


def test_a_customer_named_in_a_sentence_is_masked_though_the_sentence_has_no_digit() -> None:
    """Only texts with a run of digits or an @ were read, as for file names: a customer named
    in an incident's description stayed in the clear."""
    shown = mask_text("客户张伟来电称收到诈骗短信，销售经理李娜已回电说明情况")
    assert "张伟" not in shown and "李娜" not in shown
    assert "张*" in shown and "李*" in shown
    assert "来电称收到诈骗短信" in shown and "已回电说明情况" in shown  # the words are kept


def test_an_address_keeps_its_division_and_a_company_its_name() -> None:
    shown = mask_text(
        f"示例科技有限公司的王强先生（{mobile(5)}）住在北京市朝阳区建国路88号3单元501室"
    )
    assert "示例科技有限公司" in shown  # no one's personal information
    assert "王强" not in shown and mobile(5) not in shown
    assert "建国路88号" not in shown and "北京市朝阳区" in shown


def test_identifiers_and_empty_texts() -> None:
    assert mask_text("") == "" and mask_text("  ") == "  "
    assert mask_text("数据库备份文件被公开访问") == "数据库备份文件被公开访问"
    shown = mask_text(f"身份证 {resident_id(4)} 邮箱 li.na@example.com")
    assert resident_id(4) not in shown and "li.na@" not in shown
    assert resident_id(4)[:6] + "********" in shown
