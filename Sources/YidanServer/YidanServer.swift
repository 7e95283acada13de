// `yidan serve`: the HTTP API, dashboard and metrics. Placeholder until the first real file lands.
