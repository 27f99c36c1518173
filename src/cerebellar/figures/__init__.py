"""The experiments, grouped by paper and figure: one module per figure holds its run, its check
rows and its plot, and registers them (`cerebellar.core.registry`). Model analysis stays in
the model packages; the ``cerebellar.experiments`` entry points of ``pyproject.toml`` name the
three groups below, so another package can add its own the same way.

* `coenen1993`: Coenen, Sejnowski & Lisberger 1993 (VOR adaptation);
* `bouvier2018`: Bouvier et al. 2018 (cerebellar learning using perturbations);
* `beyond`: past the two papers (the README's "Past the papers" section).
"""
