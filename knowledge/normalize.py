"""Text normalisation shared by every matcher: width, case, script, punctuation, filler."""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

# Words customers wrap around a question that say nothing about what they ask.
FILLER = (
    "我想问一下",
    "我想问下",
    "想问一下",
    "想问下",
    "请问一下",
    "问一下",
    "请问",
    "麻烦问下",
    "麻烦",
    "您好",
    "你好",
    "亲亲",
    "亲",
    "客服",
    "在吗",
    "谢谢",
)
_FILLER_RE = re.compile("|".join(sorted(FILLER, key=len, reverse=True)))
_TRAILING_PARTICLES = re.compile(r"[呢啊呀吗嘛吧哦噢哈啦哇]+$")
_REPEATS = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


def clean(text: str) -> str:
    """Width, case and script folded; punctuation, symbols, spaces and control characters gone."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _to_simplified().convert(text)
    kept = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    return _REPEATS.sub(r"\1\1", "".join(kept))


def normalize(text: str) -> str:
    """`clean` plus removal of filler words and trailing particles; used for matching."""
    cleaned = clean(text)
    stripped = _TRAILING_PARTICLES.sub("", _FILLER_RE.sub("", cleaned))
    return stripped or cleaned
