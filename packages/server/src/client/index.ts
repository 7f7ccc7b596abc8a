// The typed client, `@kilndb/server/client`. (Stub: to be built.)
export {};
