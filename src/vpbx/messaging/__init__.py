"""SMS: packets, templates, messages and the gateways they leave through."""
