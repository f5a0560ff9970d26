"""The backend simulator: the contract of ``docs/backend-contract.md`` on loopback, for the demo,
the robot and the tests. See ``server.BackendSimulator``."""

from simulators.backend.server import BackendSimulator

__all__ = ["BackendSimulator"]
