"""Your own data: `data init` learns a CSV's schema into settings.toml's [data] table,
`data check` says how a file fits it (the Glue job's own rules, on local Spark)."""
