"""The FAQ knowledge base: normalisation, matching, loading, and the reply texts."""

from knowledge.entries import FaqItem, FaqMatch
from knowledge.knowledge_base import KnowledgeBase
from knowledge.replies import ReplyTexts

__all__ = ["FaqItem", "FaqMatch", "KnowledgeBase", "ReplyTexts"]
