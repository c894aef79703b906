#!/bin/sh
# Start the demo app.
exec /app/server --config /app/app.toml
