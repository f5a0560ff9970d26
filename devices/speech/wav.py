"""Loudness of a 16-bit PCM WAV, to check that an utterance is speech and not silence."""

from __future__ import annotations

import io
import math
import struct
import wave


def pcm_stats(wav_bytes: bytes) -> dict:
    """``{"seconds", "rms", "peak", "sample_width", "rate"}`` of a 16-bit mono/stereo WAV."""
    with wave.open(io.BytesIO(wav_bytes)) as w:
        width, rate, frames = w.getsampwidth(), w.getframerate(), w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{width * 8}-bit WAV, 16-bit expected")
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    if not samples:
        return {"seconds": 0.0, "rms": 0.0, "peak": 0, "sample_width": width, "rate": rate}
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    return {"seconds": len(samples) / rate, "rms": rms, "peak": max(abs(s) for s in samples),
            "sample_width": width, "rate": rate}
