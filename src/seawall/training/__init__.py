"""Training and evaluation: datasets, the seed corpus, the recipe, calibration, reports."""
