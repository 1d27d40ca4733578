#!/bin/sh
# BENCH_EXT_CMD for ../shared/bench/run-peers.sh: runs cnilua's version of
# a workload.  usage: ext.sh PROGRAM ARGS...
here=$(cd "$(dirname "$0")" && pwd)
prog=$1; shift
exec "$here/../../build/cnilua" "$here/$prog.lua" "$@"
