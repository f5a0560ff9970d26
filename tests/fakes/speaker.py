"""A speech device that records what it was asked to say (and stops), instead of playing it."""

from __future__ import annotations


class FakeSpeaker:
    def __init__(self, available: bool = True):
        self.available = available
        self.said: list[tuple[str, str, int]] = []
        self.stops = 0

    def say(self, text: str, language: str, volume: int) -> None:
        self.said.append((text, language, volume))

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        pass
