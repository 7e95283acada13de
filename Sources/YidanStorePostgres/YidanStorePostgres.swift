// PostgreSQL FilingStore. Placeholder until the first real file lands.
