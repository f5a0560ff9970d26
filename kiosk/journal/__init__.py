"""The transaction journal: SQLite store, schema, models, files, views, reports."""
