"""Stochastic gradient descent with estimated global errors (SGDEGE), Bouvier et al. 2018.

``reduced``: the 2-variable (P, 𝒥) model of Appendix 1 (Eqs 16-35) with its analytic layer.
"""
