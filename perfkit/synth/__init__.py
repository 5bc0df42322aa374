"""The synthetic dataset: a simulation of children's services records."""
