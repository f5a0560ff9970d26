"""Running unattended: health, heartbeat, systemd watchdog, disk space."""
