"""Running the platform beyond one machine: moving the database, and proving backups restore."""
