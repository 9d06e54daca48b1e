from __future__ import annotations

import pytest

from baomi.services.comply.notices.texts import (
    Channel,
    Facts,
    NoticeKind,
    facts_of,
    kind_for,
    render,
    sms_limits,
    sms_segments,
    templates,
)
from baomi.services.comply.profile import Location, Profile, TransferType
from baomi.services.comply.rulebook import rules

RECIPIENT = "承接科技有限公司"
CONTACT = "400-800-1234"


def _profile(
    t: TransferType, recipient: str = RECIPIENT, where: Location = Location.MAINLAND, **kw: object
) -> Profile:
    return Profile(
        "d", "deal", "", t, recipient, CONTACT if recipient else "", where, purpose="售后服务", **kw
    )  # type: ignore[arg-type]


def _facts(t: TransferType = TransferType.ASSET_SALE, **kw: object) -> Facts:
    base = {
        "company": "卖方有限公司",
        "transfer_type": t,
        "recipient_name": RECIPIENT,
        "recipient_contact": CONTACT,
        "purpose": "售后服务",
        "kinds": {"zh": ("姓名", "手机号"), "en": ("person name", "mobile number")},
    }
    return Facts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("transfer", "recipient", "where", "kind", "cites"),
    [
        (TransferType.MERGER, RECIPIENT, Location.MAINLAND, NoticeKind.TRANSFER, "PIPL-22"),
        (TransferType.DIVISION, RECIPIENT, Location.MAINLAND, NoticeKind.TRANSFER, "NDS-14"),
        (TransferType.BANKRUPTCY, RECIPIENT, Location.MAINLAND, NoticeKind.TRANSFER, "PIPL-22"),
        (TransferType.DISSOLUTION, RECIPIENT, Location.MAINLAND, NoticeKind.TRANSFER, "PIPL-22"),
        (TransferType.DISSOLUTION, "", Location.MAINLAND, NoticeKind.DELETION, "S35-6.4"),
        (TransferType.BANKRUPTCY, "", Location.MAINLAND, NoticeKind.DELETION, "PIPL-47"),
        (TransferType.ASSET_SALE, RECIPIENT, Location.MAINLAND, NoticeKind.CONSENT, "PIPL-23"),
        (TransferType.EQUITY, "", Location.MAINLAND, NoticeKind.CONTROL, "S35-9.3"),
        (TransferType.ASSET_SALE, RECIPIENT, Location.HONG_KONG, NoticeKind.CROSSBORDER, "PIPL-39"),
        (TransferType.MERGER, RECIPIENT, Location.ABROAD, NoticeKind.CROSSBORDER, "PIPL-39"),
        (TransferType.DISSOLUTION, "", Location.ABROAD, NoticeKind.DELETION, "S35-6.4"),
    ],
)
def test_the_transfer_type_picks_the_notice_and_its_rules(
    transfer: TransferType, recipient: str, where: Location, kind: NoticeKind, cites: str
) -> None:
    p = _profile(transfer, recipient, where)
    assert kind_for(p) is kind
    text = render(kind, Channel.LETTER, facts_of(p, "卖方有限公司", {}))
    assert cites in {c.rule_id for c in text.citations}


def test_remote_access_from_abroad_makes_it_a_crossborder_notice() -> None:
    p = _profile(TransferType.ASSET_SALE, remote_access_abroad=True)
    assert kind_for(p) is NoticeKind.CROSSBORDER
    assert "境外" in render(NoticeKind.CROSSBORDER, Channel.SMS, facts_of(p, "卖方", {})).body


def test_the_crossborder_letter_says_remote_access_only_when_there_is_some() -> None:
    """A recipient in Hong Kong without remote access from abroad was told its data would be
    provided "remote access from abroad included": the method says so only when the profile
    does."""
    plain = _profile(TransferType.ASSET_SALE, RECIPIENT, Location.HONG_KONG)
    remote = _profile(
        TransferType.ASSET_SALE, RECIPIENT, Location.HONG_KONG, remote_access_abroad=True
    )
    for lang, words in (("zh", "远程访问"), ("en", "remote access")):
        without = render(
            NoticeKind.CROSSBORDER, Channel.LETTER, facts_of(plain, "卖方", {}), lang=lang
        )
        with_ = render(
            NoticeKind.CROSSBORDER, Channel.LETTER, facts_of(remote, "卖方", {}), lang=lang
        )
        assert words not in without.body and words in with_.body, lang


def test_an_english_notice_names_the_sensitive_categories_in_english() -> None:
    """With `--notice-lang en` the sensitive categories stayed Chinese (个人财产信息, 医疗健康)."""
    facts = _facts(sensitive=("个人财产信息", "医疗健康"))
    en = render(NoticeKind.CONSENT, Channel.LETTER, facts, lang="en").body
    assert "personal property information" in en and "medical and health" in en
    assert "个人财产信息" not in en
    zh = render(NoticeKind.CONSENT, Channel.LETTER, facts, lang="zh").body
    assert "个人财产信息" in zh


def test_consent_is_required_where_the_rules_say_so_not_for_a_pipl22_transfer() -> None:
    assert templates()[NoticeKind.CONSENT].consent_required  # PIPL-23
    assert templates()[NoticeKind.CROSSBORDER].consent_required  # PIPL-39
    assert not templates()[NoticeKind.TRANSFER].consent_required  # PIPL-22: notice only
    assert not templates()[NoticeKind.DELETION].consent_required
    assert rules()["PIPL-23"].param("consent_required") is True


def test_an_analysis_rule_is_said_to_be_unconfirmed() -> None:
    text = render(NoticeKind.CONTROL, Channel.LETTER, _facts(TransferType.EQUITY))
    tx1 = next(c for c in text.citations if c.rule_id == "TX-1")
    assert tx1.unconfirmed


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_names_the_customer_and_the_recipient(
    kind: NoticeKind, channel: Channel, lang: str
) -> None:
    text = render(kind, channel, _facts(TransferType.MERGER), customer="王小明", lang=lang)
    assert "王小明" in text.body and text.lang == lang
    if kind is not NoticeKind.DELETION and kind is not NoticeKind.CONTROL:
        assert RECIPIENT in text.body and CONTACT in text.body
    assert "{{" not in text.body and "{%" not in text.body
    assert (text.segments > 0) is (channel is Channel.SMS)
    assert bool(text.subject) is (channel is Channel.EMAIL)


def test_a_consent_request_says_purpose_method_kinds_and_how_to_refuse() -> None:
    body = render(NoticeKind.CONSENT, Channel.LETTER, _facts()).body
    for part in ("售后服务", "处理方式", "姓名、手机号", "拒绝", "单独同意"):
        assert part in body
    sensitive = render(NoticeKind.CONSENT, Channel.LETTER, _facts(sensitive=("个人财产信息",)))
    assert "个人财产信息" in sensitive.body


def test_missing_legal_contents_are_marked_not_invented() -> None:
    text = render(NoticeKind.CONSENT, Channel.SMS, _facts(purpose=""))
    assert text.missing == ("purpose",)
    assert "待填写" in text.body


def test_the_email_escapes_html_and_a_name_cannot_add_lines() -> None:
    facts = _facts()
    html = render(NoticeKind.CONSENT, Channel.EMAIL, facts, customer="<script>x</script>").body
    assert "<script>" not in html and "&lt;script&gt;" in html
    letter = render(NoticeKind.CONSENT, Channel.LETTER, facts, customer="张\n三")
    assert "张 三" in letter.body


def test_sms_segments_at_the_boundaries() -> None:
    lim = sms_limits()
    one = lim.ucs2_single
    assert [sms_segments("短" * n) for n in (one - 1, one, one + 1)] == [1, 1, 2]
    two = 2 * lim.ucs2_segment
    assert [sms_segments("短" * n) for n in (two - 1, two, two + 1)] == [2, 2, 3]
    gsm = lim.gsm7_single
    assert [sms_segments("a" * n) for n in (gsm - 1, gsm, gsm + 1)] == [1, 1, 2]
    assert sms_segments("a" * (gsm - 1) + "€") == 2  # an extension character takes two
    assert sms_segments("a" * (one + 1)) == 1  # plain ASCII: GSM 7-bit
    assert sms_segments("") == 0
    assert (one, lim.ucs2_segment) == (70, 67)


def test_the_preview_sms_shows_its_segment_count() -> None:
    text = render(NoticeKind.CONSENT, Channel.SMS, _facts())
    assert text.segments == sms_segments(text.body) and text.chars == len(text.body)


def test_the_campaign_report_flags_customers_without_consent() -> None:
    from baomi.services.comply.notices.report import campaign_report
    from baomi.services.comply.notices.status import Campaign
    from baomi.services.comply.reports.model import Citation, Tone

    view = Campaign(
        "d", 10, 1, 1, {"consent": 10}, {"sms": {"delivered": 6, "pending": 4}}, 4,
        10, 6, 1, 3, 48, (Citation("TX-2", "PIPL-RULES.md §8", "A"),),
    )  # fmt: skip
    report = campaign_report(view, "deal")
    risky = report.summary[-1]
    assert risky.value == "4" and risky.tone is Tone.BAD
    assert report.sections[0].tables[0].rows == (("sms", "4", "0", "6", "0"),)
    assert [c.rule_id for c in report.unconfirmed] == ["TX-2"]


def test_the_campaign_report_says_each_figure_once_neutral_when_nothing_was_sent() -> None:
    """The summary's figures were repeated in the customer notices section; "not confirmed
    reached 0" was green before any notice existed; the English labels were lower-case."""
    from baomi.i18n import set_language
    from baomi.services.comply.notices.report import campaign_report
    from baomi.services.comply.notices.status import Campaign
    from baomi.services.comply.reports.model import Tone

    report = campaign_report(Campaign("d", 0, 0, 0), "deal")
    assert all(not section.figures for section in report.sections)
    assert {f.tone for f in report.summary} == {Tone.NEUTRAL}
    set_language("en")
    view = Campaign("d", 2, 1, 0, channels={"sms": {"pending": 2}}, unreached=2)
    report = campaign_report(view, "deal")
    labels = [f.label for f in report.summary] + list(report.sections[0].tables[0].columns)
    assert all(label[0].isupper() for label in labels), labels
    assert report.summary[1].tone is Tone.WARN  # two not confirmed reached


def test_every_notice_rule_is_cited_by_a_template() -> None:
    from importlib.resources import files

    import yaml

    text = (files("baomi.services.comply") / "rules" / "notices.yaml").read_text(encoding="utf-8")
    ids = {r["id"] for r in yaml.safe_load(text)}
    cited = {r for t in templates().values() for r in t.rules}
    assert ids <= cited
