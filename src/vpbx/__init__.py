"""vpbx: a self-hosted cloud-telephony back office (number inventory and virtual PBX)."""

__version__ = "0.1.0"
