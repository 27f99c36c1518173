"""Public building blocks that several figures share: the perceptron's load sweeps with paired
runs (:mod:`.load_sweep`, an explicit run cache) and their check rows (:mod:`.perceptron_rows`),
the network's learning runs and rows (:mod:`.network_runs`), the reduced model's corridor runs
(:mod:`.corridor_runs`)."""
