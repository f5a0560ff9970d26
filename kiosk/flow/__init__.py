"""The customer flow: states, the controller, the session view, timeouts, phone numbers."""
