"""The two API simulators and what they share (servers, faults, seeded data)."""
