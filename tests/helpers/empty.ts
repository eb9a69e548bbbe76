// Stands in for "server-only" under vitest, where the react-server condition is not set.
export {};
