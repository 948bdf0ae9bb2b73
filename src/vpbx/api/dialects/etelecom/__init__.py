"""The eTelecom VPBX (Twirp) dialect."""
