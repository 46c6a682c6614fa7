"""Models that ship inside the package (weights, manifests, model cards); see docs/text.md."""
