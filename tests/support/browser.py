"""kefu's pages in headless Chromium: watched for script errors, signed in, photographed."""

import os
import re
from pathlib import Path

from playwright.async_api import BrowserContext, ConsoleMessage, Dialog, Locator, Page, expect

from tests.support.kefu_process import ROOT

WAIT = 15_000  # ms: the server assigns every 2 s, delivers every 1 s, the chat page polls every 3 s
AGENT, AGENT_PASSWORD = "xiaowang", "agent-password-1"
ADMIN, ADMIN_PASSWORD = "laoban", "admin-password-1"


class Watched:
    """Pages opened through it report JavaScript dialogs, uncaught script errors and anything
    the Content-Security-Policy blocked."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.blocked: list[str] = []

    async def open(self, context: BrowserContext, path: str = "") -> Page:
        page = await context.new_page()
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        if path:
            await page.goto(path)
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.blocked.append(f"{page.url}: {message.text}")

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type} on {dialog.page and dialog.page.url}: {dialog.message}")
        await dialog.dismiss()


def artifacts() -> Path:
    folder = Path(os.environ.get("KEFU_TEST_ARTIFACTS") or ROOT / "artifacts" / "console")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def screenshot(page: Page, name: str) -> None:
    await page.screenshot(path=artifacts() / f"{name}.png", full_page=True)


async def log_in(page: Page, name: str, password: str) -> None:
    await page.goto("/console/login")
    await page.fill('input[name="name"]', name)
    await page.fill('input[name="password"]', password)
    await page.get_by_role("button", name="登录").click()
    await expect(page).to_have_url(re.compile(r"/console/$"), timeout=WAIT)
    await expect(page.locator("header.top")).to_contain_text(name, timeout=WAIT)


async def send(page: Page, text: str) -> None:
    """The customer types a line on the web chat page and presses Enter."""
    await page.fill("#input", text)
    await page.press("#input", "Enter")


def bot_bubbles(page: Page) -> Locator:
    return page.locator(".row.bot:not(.typing) .bubble")
