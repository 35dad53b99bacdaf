"""The central case server: tickets, users, devices, the change feed and push."""
