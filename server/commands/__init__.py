"""Commands of the ``dataprep`` command line, one module per workflow step."""
