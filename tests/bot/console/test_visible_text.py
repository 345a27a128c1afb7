"""What console pages show of customers' text: every invisible character that could reorder or
hide what staff read is taken out, and nothing else."""

import sys
import unicodedata

from markupsafe import Markup

from bot.console.formatting import visible

# Bidi classes of the characters that only steer how text around them is laid out.
STEERING = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "BN"}
MARKS = "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks


def test_every_bidi_control_and_zero_width_character_is_removed() -> None:
    steering = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.bidirectional(chr(code)) in STEERING
    ]
    assert "\u202e" in steering and "\u200b" in steering and "\ufeff" in steering
    text = "订单" + "".join(steering) + MARKS + "KF20261120001"
    assert visible(text) == "订单KF20261120001"


def test_readable_text_is_kept_as_it_is() -> None:
    text = "您好！\t第一行\r\n第二行 😀 👨\u200d👩 ١٢٣ مرحبا <b>&amp;"
    assert visible(text) == text.replace("\u200d", "")


def test_safe_markup_stays_markup_and_other_values_are_untouched() -> None:
    cleaned = visible(Markup("<b>订单\u202eKF1</b>"))
    assert isinstance(cleaned, Markup) and cleaned == Markup("<b>订单KF1</b>")
    assert visible(3) == 3 and visible(None) is None
