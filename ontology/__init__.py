"""The gazettekg ontology (OWL, the source of truth) and its SHACL shapes.

Both files ship as package data, so these paths work from a checkout and from an
installed wheel alike.
"""
from pathlib import Path

ONTOLOGY_PATH: Path = Path(__file__).parent / "gazettekg.ttl"
SHAPES_PATH: Path = Path(__file__).parent / "shapes.ttl"

__all__ = ["ONTOLOGY_PATH", "SHAPES_PATH"]
