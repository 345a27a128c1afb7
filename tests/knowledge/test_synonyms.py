from pathlib import Path

import pytest

from knowledge.normalize import normalize
from knowledge.synonyms import Synonyms


@pytest.fixture(scope="module")
def synonyms() -> Synonyms:
    return Synonyms.from_file()


def test_everyday_words_name_their_group(synonyms: Synonyms) -> None:
    assert synonyms.groups_in("邮费多少") == synonyms.groups_in("运费多少") == ["运费"]
    assert synonyms.groups_in("退钱要几天") == synonyms.groups_in("退款要多久")


def test_folding_writes_every_word_as_its_group(synonyms: Synonyms) -> None:
    assert synonyms.fold("邮费谁付") == synonyms.fold("运费谁付") == "运费谁付"


def test_longest_word_wins_and_words_inside_others_do_not_count(synonyms: Synonyms) -> None:
    # 快递费 is a shipping fee, not a parcel; 支付宝 is not a payment word.
    assert synonyms.groups_in("快递费谁出") == ["运费"]
    assert synonyms.groups_in("什么时候发货") == ["什么时候", "发货"]


def test_a_shop_can_bring_its_own_groups(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("- [小白瓶, 烟酰胺精华]\n", encoding="utf-8")
    own = Synonyms.from_file(path)
    assert own.groups_in("烟酰胺精华还有吗") == ["小白瓶"]
    assert own.groups_in("运费多少") == []


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("运费: 邮费\n", encoding="utf-8")
    with pytest.raises(ValueError, match="list of word lists"):
        Synonyms.from_file(path)


def test_group_words_are_read_as_questions_are(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("- [换货, 换一个, 換個]\n", encoding="utf-8")
    own = Synonyms.from_file(path)
    # Questions reach the groups with numbers as digits and in Simplified characters.
    assert own.groups_in(normalize("能换一个吗")) == ["换货"]
    assert own.groups_in(normalize("可以換個嗎")) == ["换货"]
