"""The speech device: text in, audio out (espeak-ng today; another engine behind the same calls)."""
