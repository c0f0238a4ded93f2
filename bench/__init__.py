"""Performance benchmarks of the books (not part of `make test`): `make bench` or
`python -m bench --help`.

- `bench.databases`: a throw-away database per backend (SQLite file, or a new PostgreSQL
  database), migrated with Alembic, its size, and the maintenance PostgreSQL's autovacuum
  would do after a bulk load.
- `bench.generate`: a realistic dataset (cooperatives, open books, posted entries) through
  the services and the bulk posting path `accounting.importers.post_entries`.
- `bench.run`: the timed measurements, the table and the JSON results.
"""
