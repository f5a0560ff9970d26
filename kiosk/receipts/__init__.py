"""What the kiosk prints or links for a customer: the receipt (``service``: composed in the
customer's language and printed after the credit), the claim slip for a refund in cash
(``claim_slips``), and the e-receipt link no one can guess (``e_receipt``).

Nothing is imported here: the settings check e-receipt templates before the first frame, and
must not pull in the receipt service (the journal, the money engine) with them.
"""
