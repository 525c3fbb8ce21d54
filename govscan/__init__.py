"""govscan's orchestration: the one pipeline (``pipeline``), the nightly run loop
(``runner``, with ``lock``, ``progress`` and ``judging``), storage (``store``), retention,
the demo and the command line (``cli``). The only package that knows both the capture side
(``crawler/``) and the judging side (``probes/``); see docs/architecture.md.
"""

from crawler import __version__  # noqa: F401 - one version for the whole project
