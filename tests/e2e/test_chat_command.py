"""`python -m bot chat`: the same assistant in a terminal, as a real process."""

import asyncio
import os
import sys
from pathlib import Path

from tests.support.kefu_process import DEMO_SHOP

ROOT = Path(__file__).resolve().parents[2]


async def test_chat_answers_lines_typed_in_the_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **DEMO_SHOP}  # as `make chat` starts it
    env.pop("KEFU_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "chat",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    typed = "你好\n我的订单到哪了\nKF20261120001\n8000\n".encode()
    stdout, stderr = await asyncio.wait_for(process.communicate(typed), timeout=60)
    transcript = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    assert "客服：您好" in transcript
    assert "SF1234567890123" in transcript
    assert transcript.rstrip().endswith("再见～")
    assert (tmp_path / "data" / "kefu.db").is_file()
