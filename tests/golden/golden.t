#!/usr/bin/env bash
# The compiler's golden files (tests/golden/run): plans and generated C.
exec "$(dirname "${BASH_SOURCE[0]}")/run"
