"""Named ground-truth cases with known optima and the runner behind ``otbary validate``."""
