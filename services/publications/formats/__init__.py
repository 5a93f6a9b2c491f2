"""The bibliographic formats a work is read from and written in: CSL-JSON, BibTeX and RIS (`citation.py` writes
a work as a citation, `bibliography.py` reads partners' exports into a work's fields). Plain text in and out."""
