import type { ApiExample } from "./world";

/** Example calls of the delivery log (lib/api/operations/delivery-log.ts). */
export const DELIVERY_LOG_EXAMPLES: ApiExample[] = [
  {
    operationId: "getDeliveryLog",
    title: "reads a period as JSON",
    status: 200,
    prepare: () => ({ path: "/delivery-log?from=2026-03-01&to=2026-03-31" }),
  },
  {
    operationId: "getDeliveryLog",
    title: "reads a period as CSV, as an accountant",
    as: "accountant",
    status: 200,
    prepare: () => ({ path: "/delivery-log?from=2026-03-01&to=2026-03-31&format=csv" }),
  },
  {
    operationId: "getDeliveryLog",
    title: "answers CSV for Accept: text/csv",
    status: 200,
    prepare: () => ({ path: "/delivery-log?from=2026-03-01&to=2026-03-31", headers: { accept: "text/csv" } }),
  },
  {
    operationId: "getDeliveryLog",
    title: "refuses an end before the start",
    status: 400,
    prepare: () => ({ path: "/delivery-log?from=2026-03-31&to=2026-03-01" }),
  },
  {
    operationId: "getDeliveryLog",
    title: "refuses a missing date",
    status: 400,
    prepare: () => ({ path: "/delivery-log?from=2026-03-01" }),
  },
];
