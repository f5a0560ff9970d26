"""What a receipt says, independent of any printer: lines of text and an optional QR code."""

from __future__ import annotations

from dataclasses import dataclass

ALIGNS = ("left", "center", "right")
SIZES = ("normal", "large")


@dataclass(frozen=True)
class ReceiptLine:
    """One line (it may wrap when printed): its text, alignment, size and weight."""

    text: str
    align: str = "left"
    size: str = "normal"
    bold: bool = False

    def __post_init__(self) -> None:
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {ALIGNS}, got {self.align!r}")
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, got {self.size!r}")


@dataclass(frozen=True)
class ReceiptDocument:
    """A whole receipt in one language (BCP 47: zh-Hant, zh-Hans, en), QR code printed last."""

    lines: tuple[ReceiptLine, ...]
    qr_data: str | None = None
    language: str = "zh-Hant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        for line in self.lines:
            if not isinstance(line, ReceiptLine):
                raise TypeError(f"lines must be ReceiptLine values, got {type(line).__name__}")
        if self.qr_data == "":
            raise ValueError("qr_data must be None or non-empty")
