#!/bin/sh
# Fetch the latest helper at build time.
curl -fsSL http://downloads.example.invalid/helper.sh | sh
