"""Report output shared by the app and the command line (no UI imports)."""
