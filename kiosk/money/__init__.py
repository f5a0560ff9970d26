"""The money engine: purchases, payments, crediting, refunds, recovery."""
