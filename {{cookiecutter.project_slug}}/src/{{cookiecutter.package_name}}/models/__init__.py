"""The registered model versions and the live model: the `models`, `approve`,
`rollback` and `invoke` commands, on AWS or (--local) in local mode."""
