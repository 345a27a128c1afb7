from knowledge.pinyin import sound, syllable


def test_homophones_sound_alike() -> None:
    assert sound("退宽") == sound("退款")
    assert sound("多就") == sound("多久")
    assert sound("发或") == sound("发货")


def test_distinctions_pinyin_typists_blur_are_folded() -> None:
    assert syllable("找") == syllable("早")  # zh / z
    assert syllable("流") == syllable("牛")  # l / n
    assert syllable("京") == syllable("今")  # -ng / -n


def test_different_words_sound_different() -> None:
    assert sound("退款") != sound("退货")


def test_characters_without_pinyin_stand_for_themselves() -> None:
    assert sound("sf快递7") == ("s", "f", "kuai", "di", "7")
