"""Personal-data masking (DOMAIN.md §11)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.common.pii import (
    is_personal_field,
    mask_address,
    mask_id_number,
    mask_mapping,
    mask_name,
    mask_phone,
    mask_text,
    mask_value,
)

FUNCS = [mask_name, mask_phone, mask_id_number, mask_address, mask_text]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三丰", "张**"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧***"),
        ("John Smith", "J*** *****"),
        ("  王五 ", "王*"),
        ("张", "*"),
    ],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        (13812345678, "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "+86 138****5678"),
        ("+8613812345678", "+86 138****5678"),
        ("008613812345678", "+86 138****5678"),
        ("0771-5551234", "0771-***1234"),
        ("010-12345678", "010-****5678"),
        ("(0771) 5551234", "0771-***1234"),
        ("5551234", "***1234"),
        ("12345", "*****"),
        ("call me", "****"),
        ("138****5678", "138****5678"),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("450102199001011234", "4501**********1234"),
        ("45010219900101123X", "4501**********123X"),
        ("45010219900101123x", "4501**********123X"),
        ("450102900101123", "4501*******1123"),
        ("4501**********1234", "4501**********1234"),
        ("E1234567", "******67"),
        ("123", "****"),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            "广西壮族自治区南宁市青秀区新竹街道民族大道100号3栋2单元501",
            "广西壮族自治区南宁市青秀区新竹街道****",
        ),
        ("广州市天河区珠江新城华夏路10号", "广州市天河区****"),
        ("示范县城关镇幸福村3组", "示范县城关镇****"),
        ("南宁市幸福小区5栋", "南宁市****"),
        ("南宁市青秀区", "南宁市青秀区"),
        ("12 Main Street, Springfield", "****"),
        ("幸福村3组", "****"),
    ],
)
def test_mask_address(value, masked):
    assert mask_address(value) == masked


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_passes_through(func, value):
    assert func(value) == value


def test_mask_value_by_field_name():
    assert mask_value("phone", "13812345678") == "138****5678"
    assert mask_value("contactPhone", "13812345678") == "138****5678"
    assert mask_value("id_number", "450102199001011234") == "4501**********1234"
    assert mask_value("citizen_name", "张三丰") == "张**"
    assert mask_value("name", "张三丰") == "张**"
    assert mask_value("applicant", "张三丰") == "张**"
    assert mask_value("address", "示范县城关镇幸福村3组") == "示范县城关镇****"
    assert mask_value("case_no", "A-2025-0001") == "A-2025-0001"
    assert mask_value("remark", "回电 13812345678") == "回电 138****5678"
    assert mask_value("phone", None) is None
    assert is_personal_field("applicant_phone") and not is_personal_field("item_code")


def test_mask_mapping_recursive():
    data = {
        "case_no": "A-1",
        "item": {"code": "hj01", "name": "户籍证明"},
        "applicant": {
            "name": "张三丰",
            "phone": "13812345678",
            "idNumber": "450102199001011234",
            "address": "示范县城关镇幸福村3组",
            "age": 35,
        },
        "contact": "13912345678",
        "citizen_name": "李四",
        "history": [{"applicant": "王五", "note": "身份证450102199001011234"}],
        "empty": {"phone": None, "address": ""},
    }
    masked = mask_mapping(data)
    assert masked == {
        "case_no": "A-1",
        "item": {"code": "hj01", "name": "户籍证明"},
        "applicant": {
            "name": "张**",
            "phone": "138****5678",
            "idNumber": "4501**********1234",
            "address": "示范县城关镇****",
            "age": 35,
        },
        "contact": "139****5678",
        "citizen_name": "李*",
        "history": [{"applicant": "王*", "note": "身份证4501**********1234"}],
        "empty": {"phone": None, "address": ""},
    }
    assert data["applicant"]["name"] == "张三丰"  # a copy: the input is untouched


def test_mask_text():
    text = "张三 13812345678 / +86 139 1234 5678, 身份证 45010219900101123X, 座机 0771-5551234"
    assert mask_text(text) == (
        "张三 138****5678 / +86 139****5678, 身份证 4501**********123X, 座机 0771-***1234"
    )
    assert mask_text("trace 0af7651916cd43dd8448eb211c80319c at 2025-01-02") == (
        "trace 0af7651916cd43dd8448eb211c80319c at 2025-01-02"
    )


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
id_numbers = st.from_regex(r"\A[1-8][0-9]{16}[0-9X]\Z|\A[1-8][0-9]{14}\Z")


def _digits(s: str) -> str:
    return re.sub(r"[^0-9X]", "", s)


@given(mobiles, st.sampled_from(["", "+86 ", "0086", "+86-"]), st.sampled_from(["", " ", "-"]))
def test_phone_never_fully_shown(phone, prefix, sep):
    spaced = f"{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"
    in_mapping = mask_mapping({"applicant": {"phone": phone}})["applicant"]["phone"]
    for masked in (
        mask_phone(prefix + spaced),
        mask_text(f"电话{prefix}{spaced}。"),
        mask_value("phone", phone),
        in_mapping,
    ):
        assert phone not in _digits(masked)
        assert masked.count("*") >= 4


@given(id_numbers)
def test_id_number_never_fully_shown(id_number):
    for masked in (
        mask_id_number(id_number),
        mask_text(f"id={id_number};"),
        mask_value("id_number", id_number),
        mask_mapping({"id_card": id_number})["id_card"],
    ):
        assert id_number not in _digits(masked)
        assert masked.count("*") >= 7


@given(
    st.one_of(
        st.text(),
        st.integers(),
        st.floats(),
        st.binary(),
        st.none(),
        st.lists(st.text()),
        st.dictionaries(st.text(), st.text()),
    )
)
def test_never_raises(value):
    for func in FUNCS:
        func(value)
    for field in ("phone", "id_number", "address", "applicant", "name", "x"):
        mask_value(field, value)
    mask_mapping({"applicant": value, "phone": value, "other": value})


@given(st.text())
def test_idempotent(value):
    for func in (mask_name, mask_phone, mask_id_number, mask_address, mask_text):
        once = func(value)
        assert func(once) == once


def test_mask_email() -> None:
    from libs.common.pii import mask_email

    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("a@qq.com") == "***@qq.com"  # a one-letter name is not kept
    assert mask_email(mask_email("zhangsan@example.com")) == "z***@example.com"  # idempotent
    assert mask_email("not an address") == "****"
    assert mask_email(None) is None and mask_email("") == ""
    assert mask_text("请发到 zhangsan@example.com") == "请发到 z***@example.com"
    assert mask_mapping({"applicant": {"email": "li@example.cn"}, "email_address": "wang@a.cn"}) == {
        "applicant": {"email": "l***@example.cn"},
        "email_address": "w***@a.cn",
    }
