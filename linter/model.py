"""The trained classifier at lint time: weights read from JSON, arithmetic in plain Python.

Placeholder until `netlint train` writes `models/classifier.json`; with no model file, scores come
from the rules alone.
"""

from __future__ import annotations


def load_default():
    return None
