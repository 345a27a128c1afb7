"""The product pick's stored state: a question stored before versions is still answered."""

from handlers.products.state import ProductPick
from tests.support.chat import Chat
from tests.support.stored_dialogs import before_versions, store_dialog, stored_dialog


async def test_a_pick_stored_before_versions_is_answered(chat: Chat) -> None:
    answer = await chat.ask("面膜多少钱")
    skus = ProductPick.from_stored(await stored_dialog(chat)).skus
    old = before_versions(
        chat, "product_pick", soft=True, skus=skus, wants=["price"], question="面膜多少钱"
    )
    await store_dialog(chat, old)
    lines = answer.splitlines()[1:]
    number = lines.index(next(line for line in lines if "积雪草" in line))
    assert "¥69.00" in await chat.ask(str(number + 1))
    assert (await chat.conversation()).dialog is None


async def test_the_pick_is_stored_with_its_version(chat: Chat) -> None:
    await chat.ask("精华多少钱")
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["version"]) == ("product_pick", ProductPick.VERSION)
    assert (dialog["wants"], dialog["question"]) == (["price"], "精华多少钱")
