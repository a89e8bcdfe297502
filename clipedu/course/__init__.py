"""The course layer: self-checked exercises, graded assignments, and executing notebooks.

- ``exercises``: ``check(name, answer)`` for learners working alone (answers and hints included);
  it needs only the core.
- ``assignments``, ``grade``, ``autograding``, ``public_checks``: graded coursework with
  otter-grader, whose answers live only in the master notebooks (``assignments/`` of the
  repository) and the autograder zips built from them, never in this package.
- ``execution``: running notebooks with nbclient.

All but ``exercises`` need the ``course`` extra (otter-grader, nbclient, nbformat, jupyter_client,
ipykernel).
"""
