"""The key that encrypts console session cookies."""

import base64
import hashlib
import secrets
from pathlib import Path

from core.private_files import write_private_file
from core.settings import SECRET_KEY_BYTES, SECRET_KEY_HOWTO, Settings

KEY_FILE = "console_secret.key"
# Binds the configured key to this one use: the same key elsewhere gives other bytes.
KEY_PURPOSE = b"kefu console session cookie"
# scrypt's cost, once at start: a key that is really a long passphrase written in base64
# characters passes the checks, and each guess at it from a cookie must cost what this costs.
SCRYPT_COST = {"n": 2**14, "r": 8, "p": 1}


def console_secret(settings: Settings) -> bytes:
    """32 bytes from KEFU_SECRET_KEY, or generated once and kept in the data folder.

    Kept so that a restart does not log every agent out. A weak KEFU_SECRET_KEY raises
    ValueError (Settings.from_env refuses it at start already).
    """
    configured = settings.secret_key_bytes
    if configured is not None:
        # Any length of at least 32 random bytes: the cipher takes exactly 32.
        return hashlib.scrypt(configured, salt=KEY_PURPOSE, dklen=SECRET_KEY_BYTES, **SCRYPT_COST)
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        write_private_file(path, base64.urlsafe_b64encode(secrets.token_bytes(SECRET_KEY_BYTES)))
    key = _read_key(path)
    if key is None:
        raise ValueError(
            f"{path}: not a console key; delete the file to have a new one generated "
            f"(every agent signs in again), or set KEFU_SECRET_KEY ({SECRET_KEY_HOWTO})"
        )
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except ValueError:
        return None
    return key if len(key) == SECRET_KEY_BYTES else None
