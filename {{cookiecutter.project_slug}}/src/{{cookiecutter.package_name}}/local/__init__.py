"""Local mode: the committed definition run by a small ASL interpreter against local
stand-ins for Glue, SageMaker and Lambda, and a local endpoint. FIDELITY.md lists
each AWS behaviour imitated here, with its source and test."""
