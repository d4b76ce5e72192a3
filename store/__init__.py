"""The CRM's data and use cases. Imports nothing from Slack."""
