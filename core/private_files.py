"""Files only the account running kefu may read: keys and one-time passwords."""

import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600


def write_private_file(path: Path, content: bytes) -> bool:
    """Create `path` holding `content`, readable by kefu's account alone; False when it exists.

    The content is written to a draft and linked whole, so another process starting at the same
    time never reads half of it, and the first of them wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.link(draft, path)
    except FileExistsError:
        return False
    finally:
        draft.unlink()
    return True
