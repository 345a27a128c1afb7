"""Reading callback XML safely, and writing replies WeChat can read."""

import pytest

from bot.channels.wechat_xml import (
    MAX_BODY_BYTES,
    XmlRefused,
    cdata,
    encrypted_part,
    parse_fields,
    to_xml,
)
from tests.support.hostile_xml import BILLION_LAUGHS, DTD_ONLY, EXTERNAL_ENTITY, UNREADABLE_XML


def test_fields_are_read_by_tag_with_cdata_unwrapped() -> None:
    fields = parse_fields(
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1409659813</CreateTime>"
        "<Content><![CDATA[<b>你好</b> & 谢谢]]></Content></xml>".encode()
    )
    assert fields == {
        "ToUserName": "gh_1",
        "CreateTime": "1409659813",
        "Content": "<b>你好</b> & 谢谢",
    }


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY])
def test_documents_with_a_dtd_or_entities_are_refused(body: bytes) -> None:
    with pytest.raises(XmlRefused):
        parse_fields(body)


@pytest.mark.parametrize("body", [b"", b"not xml", b"<xml><A></xml>", b"\xff\xfe<xml/>"])
def test_broken_documents_are_refused(body: bytes) -> None:
    with pytest.raises(XmlRefused):
        parse_fields(body)


@pytest.mark.parametrize("body", UNREADABLE_XML.values(), ids=UNREADABLE_XML.keys())
def test_documents_in_another_encoding_than_utf_8_are_refused(body: bytes) -> None:
    with pytest.raises(XmlRefused):
        parse_fields(body)
    with pytest.raises(XmlRefused):
        parse_fields(body.decode("latin-1"))  # as text decrypted from a safe-mode message


def test_utf_8_may_be_declared_or_not() -> None:
    for declaration in ("", '<?xml version="1.0"?>', "<?xml version='1.0' encoding='utf-8'?>"):
        body = f"{declaration}<xml><Content>你好</Content></xml>".encode()
        assert parse_fields(body) == {"Content": "你好"}


def test_a_safe_mode_envelope_gives_its_encrypt_value_without_parsing() -> None:
    assert encrypted_part(b"<xml><Encrypt><![CDATA[YWJj+/==]]></Encrypt></xml>") == "YWJj+/=="
    assert encrypted_part(b"<xml><Encrypt>YWJj</Encrypt><A>1</A></xml>") == "YWJj"
    assert encrypted_part(BILLION_LAUGHS) == ""
    assert encrypted_part(b"<xml><Encrypt>&lol;</Encrypt></xml>") == ""


def test_a_body_over_64_kb_is_refused_before_parsing() -> None:
    padding = "x" * MAX_BODY_BYTES
    with pytest.raises(XmlRefused):
        parse_fields(f"<xml><Content>{padding}</Content></xml>".encode())


def test_written_replies_read_back_even_with_cdata_ends_in_the_text() -> None:
    text = "奇怪的字 ]]> 和 <tag> & 符号"
    xml = to_xml({"ToUserName": "o_user", "CreateTime": 1764385200, "Content": text})
    assert parse_fields(xml.encode()) == {
        "ToUserName": "o_user",
        "CreateTime": "1764385200",
        "Content": text,
    }
    assert "<CreateTime>1764385200</CreateTime>" in xml
    assert cdata("a") == "<![CDATA[a]]>"
