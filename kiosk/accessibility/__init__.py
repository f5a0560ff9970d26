"""The accessible kiosk: the keypad's actions, the accessible mode, and their assembly."""
