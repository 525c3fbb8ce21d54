"""govscan's capture side: targets, fetching, crawling, rendering, validation (the gatherers).

It never imports the judging side (``probes/``) nor the orchestration (``govscan/``);
shared page reading is ``pageread/``; see docs/architecture.md.
"""

__version__ = "0.1.0"
