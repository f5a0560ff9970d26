"""Reusable widgets of the customer screens; each module loads its ``.kv`` beside it."""
