"""Build the atlas database: seed files, simulated flows, the pipeline and the rollups."""
