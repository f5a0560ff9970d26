"""Services the flow calls: the backend client, purchases, receipts."""
