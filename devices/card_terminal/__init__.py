"""The card terminal: ECR protocol, driver and simulator (docs/card-terminal-ecr.md)."""
