"""The ``livskraft`` command line interface."""
