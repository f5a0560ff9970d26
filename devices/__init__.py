"""Device library: interfaces, transports, drivers and simulators. Imports neither kiosk nor Kivy."""
