"""Parcel questions: where is it, when does it arrive, has it shipped."""
