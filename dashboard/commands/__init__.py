"""The dashboard's commands (`python -m dashboard ...`): accounts, the quality extract, alert
validation, the load worker."""
