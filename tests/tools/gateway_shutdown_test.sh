#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vexfs-gateway: SIGTERM finishes replies in flight and exits 0 (TAP).
exec python3 "$(dirname "$0")/gateway_shutdown.py"
