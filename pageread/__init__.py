"""Page reading shared by both sides of the flow: text folding and the keyword tables
(``words``), form classification (``forms``), element selectors (``selectors``) and dates on
a page (``dates``). Gatherers use it to decide what to fetch one click away and which search
box to query; probes use the same code to judge. It imports neither side.
"""
