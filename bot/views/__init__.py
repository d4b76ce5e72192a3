"""Pure functions from data to Block Kit (slack_sdk.models). No database, no Web API."""
