"""Tickets from the chat: opening them, their status, answers to staff's questions."""
