"""Model-retraining pipeline: Glue ETL, SageMaker XGBoost, a quality gate, Step Functions.

Kept free of imports so that the template's hooks can load the standard-library
modules of this package (rules, settings_file, fill_in, aws_account) on their own.
"""
