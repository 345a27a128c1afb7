"""WeChat callback signatures and message encryption (Official Account and WeCom alike).

Both platforms sign with sha1 over the sorted token, timestamp, nonce (and, in safe mode, the
encrypted message) and encrypt with AES-256-CBC: key = base64(EncodingAESKey + "="), IV = the
key's first 16 bytes, plaintext = 16 random bytes + 4-byte big-endian length + message + the
receiver's id (AppID or CorpID), PKCS#7-padded to 32-byte blocks.
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 32


class SignatureError(Exception):
    """The message is not from the platform: bad signature, wrong receiver id or padding."""


class NotText(SignatureError):
    """The message is for us, but not UTF-8 text: a bad request rather than a forgery."""


def sha1_signature(*parts: str) -> str:
    """Hex sha1 of the parts, sorted and joined, as WeChat signs its callbacks."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_ok(expected: str, *parts: str) -> bool:
    """True when `expected` is the signature of `parts`, compared in constant time."""
    return hmac.compare_digest(expected.encode(), sha1_signature(*parts).encode())


def _pad(data: bytes) -> bytes:
    amount = _BLOCK - len(data) % _BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    amount = data[-1] if data else 0
    if not 1 <= amount <= _BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise SignatureError("bad padding")
    return data[:-amount]


@dataclass(frozen=True)
class WechatCrypto:
    """Encrypts and decrypts safe-mode messages for one account."""

    token: str
    aes_key: str  # the 43-character EncodingAESKey
    receiver_id: str  # AppID (Official Account) or CorpID (WeCom)

    def __post_init__(self) -> None:
        self._cipher()  # a mistyped key fails at start-up, not at the first message

    def _cipher(self) -> Cipher:
        try:
            key = base64.b64decode(self.aes_key + "=", validate=True)
        except binascii.Error as error:
            raise ValueError("EncodingAESKey is not base64") from error
        if len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 characters")
        return Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def decrypt(self, encrypted: str) -> str:
        """The plaintext (XML) of an Encrypt value; SignatureError unless it is for us."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error as error:
            raise SignatureError("Encrypt is not base64") from error
        if not data or len(data) % 16:
            raise SignatureError("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise SignatureError("message too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receiver = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or not hmac.compare_digest(receiver, self.receiver_id.encode()):
            raise SignatureError("message is for another receiver")
        try:
            return message.decode()
        except UnicodeDecodeError as error:
            raise NotText("message is not UTF-8") from error

    def encrypt(self, plaintext: str | bytes, nonce: str, timestamp: str) -> tuple[str, str]:
        """(Encrypt, MsgSignature) for a reply (text goes as UTF-8)."""
        message = plaintext.encode() if isinstance(plaintext, str) else plaintext
        plain = os.urandom(16) + struct.pack(">I", len(message)) + message
        plain += self.receiver_id.encode()
        encryptor = self._cipher().encryptor()
        encrypted = base64.b64encode(encryptor.update(_pad(plain)) + encryptor.finalize()).decode()
        return encrypted, sha1_signature(self.token, timestamp, nonce, encrypted)

    def check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        """True when msg_signature signs this encrypted message (constant time)."""
        return signature_ok(msg_signature, self.token, timestamp, nonce, encrypted)
