"""Address -> symbol, file:line, inlined chain and struct member lookups."""
