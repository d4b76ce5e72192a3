"""The Slack edge: parse what people send, call store services, render with views."""
