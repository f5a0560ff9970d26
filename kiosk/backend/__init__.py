"""The operator backend as the kiosk sees it: client, transport, models, errors, look-up."""
