"""The developer benchmark (`python -m geo bench`) and its zoning baseline, outside the importable core."""
