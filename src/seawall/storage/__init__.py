"""Storage: SQLAlchemy tables and domain queries over SQLite (embedded) or PostgreSQL."""
