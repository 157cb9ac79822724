"""
The transpose of an odd case
============================

The transpose of a 6x6 input, 3x3 kernel, stride 2, padding 1 convolution: its output is 6x6 again
thanks to ``output_padding = a = 1``, the extra zeros at the bottom and right.
"""
import convanim as ca

conv = ca.Conv(6, 3, s=2, p=1)
t = conv.transpose()
print(t.describe())

anim = ca.animation(t, labels=True, caption=True)
