"""WeChat callback signatures and safe-mode encryption, against Tencent's published sample."""

import base64

import pytest
from defusedxml.ElementTree import fromstring

from bot.channels.wechat_crypto import SignatureError, WechatCrypto, sha1_signature, signature_ok

# Tencent's sample (WXBizMsgCrypt samples, "使用示例二：对用户回复的消息解密").
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APPID = "wx5823bf96d3bd56c7"
MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
TIMESTAMP = "1409659813"
NONCE = "1372623149"
ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
    "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
    "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
    "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


@pytest.fixture
def crypto() -> WechatCrypto:
    return WechatCrypto(TOKEN, AES_KEY, APPID)


def test_the_tencent_sample_is_signed_and_decrypts_to_a_text_message(
    crypto: WechatCrypto,
) -> None:
    assert crypto.check(MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT)
    message = fromstring(crypto.decrypt(ENCRYPT))
    assert message.findtext("ToUserName") == APPID
    assert message.findtext("FromUserName") == "mycreate"
    assert message.findtext("MsgType") == "text"
    assert message.findtext("Content") == "hello"
    assert message.findtext("MsgId") == "4561255354251345929"


def test_the_signature_is_the_sha1_of_the_sorted_parts_in_any_order() -> None:
    assert sha1_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT) == MSG_SIGNATURE
    assert sha1_signature(ENCRYPT, NONCE, TOKEN, TIMESTAMP) == MSG_SIGNATURE
    assert signature_ok(MSG_SIGNATURE, NONCE, ENCRYPT, TIMESTAMP, TOKEN)


@pytest.mark.parametrize(
    "signature",
    ["", MSG_SIGNATURE[:-1] + "0", MSG_SIGNATURE.upper(), "签名" * 20, MSG_SIGNATURE + "0"],
)
def test_forged_signatures_are_refused(crypto: WechatCrypto, signature: str) -> None:
    assert not crypto.check(signature, TIMESTAMP, NONCE, ENCRYPT)


def test_a_changed_timestamp_nonce_or_message_breaks_the_signature(crypto: WechatCrypto) -> None:
    assert not crypto.check(MSG_SIGNATURE, "1409659814", NONCE, ENCRYPT)
    assert not crypto.check(MSG_SIGNATURE, TIMESTAMP, "1372623148", ENCRYPT)
    assert not crypto.check(MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT.replace("R", "S", 1))
    assert not WechatCrypto("other", AES_KEY, APPID).check(MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT)


def test_a_message_for_another_app_is_refused() -> None:
    with pytest.raises(SignatureError):
        WechatCrypto(TOKEN, AES_KEY, "wx0000000000000000").decrypt(ENCRYPT)


def test_a_round_trip_keeps_the_text_and_signs_it(crypto: WechatCrypto) -> None:
    text = "<xml><Content><![CDATA[您好，订单已发货📦]]></Content></xml>"
    encrypted, signature = crypto.encrypt(text, "nonce-1", "1764385200")
    assert crypto.check(signature, "1764385200", "nonce-1", encrypted)
    assert crypto.decrypt(encrypted) == text


def test_each_encryption_is_different_but_decrypts_the_same(crypto: WechatCrypto) -> None:
    first, _ = crypto.encrypt("同一句话", "n", "1")
    second, _ = crypto.encrypt("同一句话", "n", "1")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == "同一句话"


@pytest.mark.parametrize("length", [0, 25, 26, 27, 57, 58, 1000])
def test_round_trips_across_padding_boundaries(crypto: WechatCrypto, length: int) -> None:
    # 16 random + 4 length + 18 id bytes = 38: lengths around 26 and 58 fill whole blocks.
    text = "x" * length
    encrypted, _ = crypto.encrypt(text, "n", "1")
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert crypto.decrypt(encrypted) == text


@pytest.mark.parametrize(
    "encrypted",
    [
        "",
        "not base64!",
        base64.b64encode(b"\x00" * 15).decode(),  # not whole AES blocks
        base64.b64encode(bytes(range(64))).decode(),  # decrypts to noise
    ],
)
def test_garbage_is_refused_as_not_from_wechat(crypto: WechatCrypto, encrypted: str) -> None:
    with pytest.raises(SignatureError):
        crypto.decrypt(encrypted)


def test_a_mistyped_encoding_aes_key_fails_at_once() -> None:
    with pytest.raises(ValueError):
        WechatCrypto(TOKEN, AES_KEY[:-1], APPID)
    with pytest.raises(ValueError):
        WechatCrypto(TOKEN, AES_KEY[:-1] + "!", APPID)
