// EPCIS 2.0 provenance. Placeholder until the first real file lands.
