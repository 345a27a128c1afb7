import pytest

from knowledge.normalize import chinese_number, clean, fold_numbers, normalize


def test_clean_folds_width_case_script_and_drops_punctuation() -> None:
    assert clean("ＫＦ２０２６，請問 Hello！") == "kf2026请问hello"


def test_clean_shortens_runs_of_one_character() -> None:
    assert clean("好好好好好") == "好好"


def test_clean_drops_control_characters_and_emoji() -> None:
    assert clean("\x00退\x07货😀") == "退货"


def test_normalize_removes_filler_but_never_everything() -> None:
    assert normalize("你好，请问发货时间呢") == "发货时间"
    assert normalize("亲，我想问一下退款多久到账啊") == "退款多久到账"
    assert normalize("你好") == "你好"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("一百零八", 108),
        ("两千", 2000),
        ("一万二千", 12000),
    ],
)
def test_chinese_numerals_have_their_value(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


def test_numbers_before_a_unit_are_written_as_digits() -> None:
    assert fold_numbers("七天无理由退货") == "7天无理由退货"
    assert fold_numbers("买两盒送一支") == "买2盒送1支"
    assert normalize("十五天能到吗") == normalize("15天能到吗")


def test_numerals_that_count_nothing_stay_words() -> None:
    assert fold_numbers("等一下，全国统一价") == "等一下，全国统一价"


@pytest.mark.parametrize("numeral", ["万", "零", "一二三"])
def test_malformed_numerals_have_no_value(numeral: str) -> None:
    assert chinese_number(numeral) is None


def test_words_that_only_look_like_numbers_stay_words() -> None:
    assert fold_numbers("零件坏了，万元户") == "零件坏了，万元户"
