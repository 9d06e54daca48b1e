"""Recognizers for Chinese identifiers and Chinese-language PI."""
