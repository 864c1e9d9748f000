/**
 * Redis session host for `@nest-mcp/mcp`. Filled by the Redis issue; the package exists so that the
 * workspace layout and build are in place.
 */
export {};
