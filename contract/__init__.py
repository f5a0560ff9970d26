"""What the kiosk and the simulators both speak: request signing, time, masking."""
