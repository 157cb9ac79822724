"""
Files for a paper
=================

``render`` writes any format by suffix; a GIF, PNG or SVG it writes in an example also lands on the page.
"""
import tempfile
from pathlib import Path

import convanim as ca

out = Path(tempfile.mkdtemp())
ca.render(ca.Conv(7, 3, d=2), out / "dilation.pdf")            # one page per frame, for LaTeX
ca.render(ca.Conv(7, 3, d=2), out / "dilation.gif", labels=True)  # shown below
