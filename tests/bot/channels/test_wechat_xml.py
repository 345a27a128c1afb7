"""Reading callback XML safely, and writing replies WeChat can read."""

import pytest

from bot.channels.wechat_xml import MAX_BODY_BYTES, XmlRefused, cdata, parse_fields, to_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><Content>&lol4;</Content></xml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><Content>&secret;</Content></xml>"""
DTD_ONLY = b"""<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><A>1</A></xml>"""


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
