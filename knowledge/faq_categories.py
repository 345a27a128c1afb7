"""The Chinese names of FAQ categories (knowledge/data/faq_categories.yaml), which staff read
where entries store a short English code."""

from pathlib import Path

from knowledge.yaml_files import read_yaml

DEFAULT_CATEGORY_NAMES = Path(__file__).parent / "data" / "faq_categories.yaml"


def load_category_names(path: str | Path = DEFAULT_CATEGORY_NAMES) -> dict[str, str]:
    """Category code → Chinese name; ValueError when the file is not such a mapping."""
    with Path(path).open(encoding="utf-8") as handle:
        data = read_yaml(handle) or {}
    if not isinstance(data, dict) or not all(
        isinstance(code, str) and isinstance(name, str) and name.strip()
        for code, name in data.items()
    ):
        raise ValueError(f"{path}: expected lines of 'category: 中文名称'")
    return {code: name.strip() for code, name in data.items()}
