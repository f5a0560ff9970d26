"""The card terminal: ECR protocol, driver and simulator (specs/card-terminal-ecr.md)."""
