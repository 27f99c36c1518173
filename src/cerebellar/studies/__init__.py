"""Public building blocks that several figures share: the perceptron's load sweeps with paired
runs (`load_sweep`, an explicit run cache) and their check rows (`perceptron_rows`),
the network's learning runs and rows (`network_runs`), the reduced model's corridor runs
(`corridor_runs`)."""
