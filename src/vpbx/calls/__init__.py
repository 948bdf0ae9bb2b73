"""Call records (CDRs): intake from the SIP server, listing with filters, and the facts
route resolution reads back (when an extension last talked, how often a group rang)."""
