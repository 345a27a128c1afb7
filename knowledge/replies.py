"""Customer-facing reply texts, kept in a YAML file so a shop can reword them."""

from pathlib import Path
from typing import Any

from core.settings import Settings
from core.shop_time import service_hours
from knowledge.yaml_files import read_yaml

DEFAULT_REPLIES = Path(__file__).parent / "data" / "replies.yaml"


class ReplyTexts:
    """Named templates filled with `str.format` fields."""

    def __init__(self, templates: dict[str, str], standing: dict[str, Any] | None = None) -> None:
        self._templates = dict(templates)
        # Fields any text may name, e.g. the shop's business hours: filled from the settings.
        self._standing = dict(standing or {})

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_REPLIES) -> "ReplyTexts":
        """The file's texts over the bundled ones: a shop's own file written for an older
        version keeps working, with the bundled wording for texts added since."""
        texts = _read(Path(DEFAULT_REPLIES))
        if Path(path) != Path(DEFAULT_REPLIES):
            texts.update(_read(Path(path)))
        return cls(texts)

    def with_standing(self, **fields: Any) -> "ReplyTexts":
        """These texts with fields every template may name, given once here."""
        return ReplyTexts(self._templates, {**self._standing, **fields})

    def render(self, name: str, **fields: Any) -> str:
        """The template `name` with its fields (and the standing ones) filled in."""
        return self._templates[name].format(**{**self._standing, **fields}).strip()


def _read(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        data = read_yaml(handle) or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a mapping of names to texts")
    return data


def shop_texts(settings: Settings) -> ReplyTexts:
    """The shop's reply texts, with its business hours for any text that names {hours}."""
    texts = ReplyTexts.from_file(settings.replies_file or DEFAULT_REPLIES)
    return texts.with_standing(hours=service_hours(settings))
