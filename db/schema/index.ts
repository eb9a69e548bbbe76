export * from "./api";
export * from "./auth";
export * from "./documents";
export * from "./integrations";
export * from "./people";
export * from "./tenancy";
