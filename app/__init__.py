"""The application: the ``kiosk`` command line, the composition root's commands, the robot."""
