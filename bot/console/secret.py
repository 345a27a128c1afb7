"""The key that encrypts console session cookies."""

import base64
import hashlib
import os
import secrets

from bot.settings import Settings

KEY_FILE = "console_secret.key"


def console_secret(settings: Settings) -> bytes:
    """32 bytes from KEFU_SECRET_KEY, or generated once and kept in the data folder.

    Kept so that a restart does not log every agent out.
    """
    if settings.secret_key:
        # Any passphrase works: it is stretched to the 32 bytes the cipher needs.
        return hashlib.sha256(settings.secret_key.encode()).digest()
    path = settings.data_dir / KEY_FILE
    if path.exists():
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Created private: only the account running kefu may read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(base64.urlsafe_b64encode(key))
    return key
