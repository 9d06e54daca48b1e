"""Administrative divisions: the prefix of an address, and a bare place name told from an address."""

from __future__ import annotations

import polars as pl
import pytest

from baomi.engine import divisions

PLACES = ["深圳", "深圳市", "广东深圳", "广东省深圳市南山区", "北京", "美国", "中国北京", " 上海 "]
NOT_PLACES = [
    "深圳南山科技园",
    "广东省深圳市南山区科技园路1号",
    "张伟",
    "南山",
    "13812345678",
    "",
    " ",
]


@pytest.mark.parametrize("value", PLACES)
def test_place_names_alone(value: str) -> None:
    assert divisions.place_only(value)


@pytest.mark.parametrize("value", NOT_PLACES)
def test_an_address_a_name_or_a_district_short_form_is_not_a_place_name(value: str) -> None:
    # a district's short form is often a common word (南山, 朝阳 as a district): not one
    assert not divisions.place_only(value)


def test_the_series_form_agrees_with_the_one_value_form() -> None:
    values = pl.Series([*PLACES, *NOT_PLACES], dtype=pl.String)
    assert divisions.place_only_series(values).to_list() == [
        divisions.place_only(v) for v in values
    ]


def test_countries_and_provinces_are_broad_places_cities_are_not() -> None:
    broad = divisions.broad_places()
    assert {"中国", "美国", "广东", "广东省", "北京", "内蒙古"} <= broad
    assert "深圳" not in broad and "深圳市" not in broad


def test_parse_cuts_after_the_district() -> None:
    div = divisions.parse("广东省深圳市南山区科技园路1号")
    assert div is not None
    assert (div.province, div.city, div.district) == ("广东省", "深圳市", "南山区")
    assert "广东省深圳市南山区科技园路1号"[div.end :] == "科技园路1号"


def test_the_shipped_countries_are_fakers() -> None:
    """``data/countries_zh.txt`` is Faker's zh_CN country list (read instead of importing
    Faker at scan time)."""
    from faker.providers.address.zh_CN import Provider

    assert divisions.countries() == list(dict.fromkeys(Provider.countries))
