from knowledge.normalize import clean, normalize
from knowledge.synonyms import canonicalize


def test_clean_folds_width_case_script_and_drops_punctuation() -> None:
    assert clean("ＫＦ２０２６，請問 Hello！") == "kf2026请问hello"


def test_clean_shortens_runs_of_one_character() -> None:
    assert clean("好好好好好") == "好好"


def test_clean_drops_control_characters_and_emoji() -> None:
    assert clean("\x00退\x07货😀") == "退货"


def test_normalize_removes_filler_but_never_everything() -> None:
    assert normalize("你好，请问发货时间呢") == "发货时间"
    assert normalize("你好") == "你好"


def test_synonyms_fold_to_one_word() -> None:
    assert canonicalize("邮费多少") == canonicalize("运费多少")
    assert canonicalize("退钱要几天") == canonicalize("退款要多久")
