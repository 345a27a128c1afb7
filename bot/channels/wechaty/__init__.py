"""Personal WeChat (or WeCom) through a Wechaty puppet service; on when configured.

The Wechaty packages are an optional extra (requirements-wechaty.txt), so they are imported
only when the channel is switched on: `wechaty_channel` is all the rest of kefu imports.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.channels.wechaty.channel import WechatyChannel
    from bot.services import Services

__all__ = ["wechaty_channel"]


def wechaty_channel(services: "Services") -> "WechatyChannel | None":
    """The channel when KEFU_WECHATY_ENDPOINT and KEFU_WECHATY_TOKEN are set, else None."""
    settings = services.settings
    if not (settings.wechaty_endpoint and settings.wechaty_token):
        return None
    # Imported here: the Wechaty packages are installed only where the channel is used.
    from bot.channels.wechaty.channel import WechatyChannel

    return WechatyChannel(
        services.assistant,
        services.sessions,
        services.clock,
        settings.wechaty_endpoint,
        settings.wechaty_token,
    )
