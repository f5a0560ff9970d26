"""Maintenance mode: operator PINs, lockout, the audit log, the safe operator actions."""
