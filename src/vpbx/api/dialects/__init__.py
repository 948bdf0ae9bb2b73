"""Wire-compatible faces of the providers' APIs. A dialect only translates."""
