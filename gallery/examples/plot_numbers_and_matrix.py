"""
Numbers and the unrolled matrix
===============================

The guide's Figure 1.1 values, then the same convolution as the sparse matrix C acting on the unrolled input.
"""
import numpy as np

import convanim as ca

spec = ca.Conv(4, 3)
x = np.arange(16.0).reshape(4, 4)
kernel = np.array([[0.0, 1, 2], [2, 2, 0], [0, 1, 2]])
assert np.allclose(ca.conv_matrix(spec, kernel) @ x.ravel(), ca.apply(spec, x, kernel).ravel())

numbers = ca.animation(ca.Conv(5, 3), numbers=True, style="flat")
matrix = ca.animation(spec, view="both")
