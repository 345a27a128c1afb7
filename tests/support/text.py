"""Text no test wrote by hand: random characters for floods and fuzzing."""

import random


def random_chinese(rng: random.Random, length: int) -> str:
    """Characters drawn from the whole CJK block: a flood of text no cache has seen."""
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(length))
