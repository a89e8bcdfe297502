"""The course layer: self-checked exercises, grading, and executing notebooks.

``exercises`` needs only the core; ``grading`` and ``execution`` need the ``course`` extra
(nbclient, nbformat, jupyter_client, ipykernel).
"""
