"""What leaves the program: the disclosure policy (policy.py), small-cell suppression over linked
counts (cells.py, counts.py), and the jointly suppressed release the quality role sees (release.py)."""
