#!/bin/sh
# Fails if the C core includes Lua headers, or bindings print or exit.
root=${1:-.}
bad=$(grep -lE '#include *[<"](lua|lauxlib|lualib)\.h' "$root"/src/cni_* 2>/dev/null)
if [ -n "$bad" ]; then echo "core files include Lua headers: $bad"; exit 1; fi
bad=$(grep -lE '\b(printf|puts|exit)\(' "$root"/src/lcni_*.c 2>/dev/null)
if [ -n "$bad" ]; then echo "binding files print or exit: $bad"; exit 1; fi
bad=$(grep -lE '\b(printf|fprintf|puts|exit|abort)\(' "$root"/src/cni_*.c 2>/dev/null)
if [ -n "$bad" ]; then echo "core files print or exit: $bad"; exit 1; fi
echo "1 passed, 0 failed"
