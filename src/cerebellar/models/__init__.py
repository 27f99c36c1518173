"""The models: each a package with its parameters (``params``), its run (``simulate``), its
kernels where it has compiled ones (``kernels``: the NumPy reference beside each compiled kernel)
and its closed forms (``theory``). See the model reference page of the documentation.

* `vor`: the static VOR model of Coenen, Sejnowski & Lisberger (1993);
* `reduced`: the reduced (P, 𝒥) model of SGDEGE (Bouvier et al. 2018,
  Appendix 1);
* `perceptron`: the analog perceptron (Bouvier et al. 2018, Appendix 1);
* `network`: the olivo-cerebellar rate network (Bouvier et al. 2018,
  Methods).
"""
