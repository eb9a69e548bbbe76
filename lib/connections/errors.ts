import { AppError } from "@/lib/errors";

/**
 * The package's connector for this channel is not built yet (lib/connectors/registry.ts returns
 * null), so nothing can be validated, checked or delivered. 409: the request is fine, the
 * product is not there yet. `messageKey` is translated from connections.errors.
 */
export class ConnectorUnavailableError extends AppError {
  constructor() {
    super("conflict", "connectorUnavailable", 409);
    this.name = "ConnectorUnavailableError";
  }
}
