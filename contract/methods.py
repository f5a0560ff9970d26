"""The payment methods of the backend contract: wallets paid by QR, and the terminal's tenders."""

WALLET_METHODS = ("wechatpay", "alipayhk", "alipay", "fps", "payme")
TERMINAL_METHODS = ("card", "octopus")  # octopus: the multi-tender terminal's Octopus tender
METHODS = WALLET_METHODS + TERMINAL_METHODS
