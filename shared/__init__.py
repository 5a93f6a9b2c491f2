"""The project's common library: what every service and the gateway need, written once."""
