"""Devices built from settings: the card terminal, the receipt printer, their handles."""
