"""
Padding and strides
===================

A 5x5 input, a 3x3 kernel, stride 2 and one unit of zero padding: a 3x3 output (the guide's relationship 6).
"""
import convanim as ca

spec = ca.Conv(5, 3, s=2, p=1)
print(spec.describe())

# Keep the animation in a variable: the scraper puts it on the page as a GIF.
anim = ca.animation(spec, labels=True)
