"""govscan's crawler: fetching, rendering, scheduling, storage and the CLI (the gatherers).

Judgement lives in ``probes/``; reports in ``reports/``.
"""

__version__ = "0.1.0"
