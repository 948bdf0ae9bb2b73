"""The eTelecom SMS Brandname dialect."""
