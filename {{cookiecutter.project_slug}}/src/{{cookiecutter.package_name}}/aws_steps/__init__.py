"""Code that runs inside an AWS step, uploaded on its own: the Glue job's script and
the evaluator Lambda's handler.

Each file here imports nothing from the rest of the package (Glue and Lambda get the
file alone), only the standard library and what the service provides.
"""
