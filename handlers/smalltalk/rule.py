"""Greetings, thanks, goodbyes, and messages with no words at all."""

import unicodedata

from core.messages import Reply
from handlers.context import Context
from knowledge.normalize import clean

# Whole messages (after cleaning) that are only social talk.
GREETINGS = frozenset(
    {
        "你好",
        "您好",
        "在吗",
        "在不在",
        "在么",
        "hi",
        "hello",
        "哈喽",
        "嗨",
        "亲",
        "亲在吗",
        "你好在吗",
        "您好在吗",
        "早上好",
        "下午好",
        "晚上好",
        "有人吗",
        "客服",
        "客服在吗",
    }
)
THANKS = frozenset(
    {
        "谢谢",
        "谢谢你",
        "谢谢您",
        "多谢",
        "感谢",
        "好的谢谢",
        "谢啦",
        "thanks",
        "thankyou",
        "thx",
        "好的",
        "好",
        "嗯",
        "嗯嗯",
        "ok",
        "okay",
        "收到",
        "明白了",
        "知道了",
        "好滴",
    }
)
MAX_KEPT_MEDIA = 9
GOODBYES = frozenset({"再见", "拜拜", "bye", "byebye", "88", "没事了", "没有了", "没问题了"})


def _kind(text: str) -> str | None:
    words = clean(text)
    if not words:
        # Nothing, or only emoji: say the bot reads words. Only punctuation ("？？？") is a
        # message the bot did not understand, which the fallback answers and counts.
        shown = [ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C"]
        if not shown or any(unicodedata.category(ch)[0] == "S" for ch in shown):
            return "empty"
        return None
    # Endearments and particles around the words do not change what was said ("谢谢亲").
    cleaned = words.strip("亲").rstrip("啊呀哦呢啦").strip("亲")
    for kind, phrases in (("greeting", GREETINGS), ("thanks", THANKS), ("goodbye", GOODBYES)):
        if cleaned in phrases:
            return kind
    return None


def smalltalk_of(ctx: Context) -> str | None:
    """What kind of small talk the message is (greeting, thanks, goodbye, empty, media)."""
    kind = _kind(ctx.text)
    return "media" if kind == "empty" and ctx.incoming.media else kind


class SmalltalkRule:
    name = "smalltalk"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> str | None:
        return smalltalk_of(ctx)

    async def handle(self, ctx: Context, found: str) -> list[Reply]:
        if found == "media":
            # A photo before any words: keep it for the request that usually follows.
            kept = [*ctx.memory.get("recent_media", []), *ctx.incoming.media]
            ctx.memory["recent_media"] = kept[-MAX_KEPT_MEDIA:]
        return [ctx.say(f"smalltalk_{found}")]
