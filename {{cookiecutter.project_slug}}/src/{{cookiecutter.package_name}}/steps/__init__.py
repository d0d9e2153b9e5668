"""The pipeline's step code: the Glue job's script and the evaluator Lambda's handler.

On AWS, each file is uploaded on its own and run by Glue or Lambda; local mode runs the
very same files (the Glue job on local Spark, the handler in process).

Each file here imports nothing from the rest of the package (Glue and Lambda get the
file alone), only the standard library and what the service provides.
"""
