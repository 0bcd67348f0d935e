"""Shared test set-up. Its presence puts this folder on the import path, so end-to-end tests
can import the rig helpers in `rigs.py`."""
