/**
 * Typed application errors. Services throw them; the action wrapper, route handlers and pages
 * translate `messageKey` (a key under "errors" in the i18n messages) for the user.
 */
export type AppErrorCode =
  | "not_found"
  | "forbidden"
  | "validation_failed"
  | "conflict"
  | "unauthenticated"
  | "rate_limited"
  /** The same file is already a document of the dossier (lib/documents/duplicates.ts). */
  | "duplicate_file"
  /** The file store is out of space (507) or failing (503); nothing of the file was kept (lib/storage). */
  | "storage_full"
  | "storage_unavailable";

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly messageKey: string;
  readonly httpStatus: number;
  readonly fieldErrors?: Record<string, string[]>;
  /** Values for the message's placeholders (the scope an API key lacks). */
  readonly messageValues?: Record<string, string | number>;

  constructor(
    code: AppErrorCode,
    messageKey: string,
    httpStatus: number,
    options: {
      fieldErrors?: Record<string, string[]>;
      messageValues?: Record<string, string | number>;
      cause?: unknown;
    } = {},
  ) {
    super(`${code}: ${messageKey}`, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.messageKey = messageKey;
    this.httpStatus = httpStatus;
    this.fieldErrors = options.fieldErrors;
    this.messageValues = options.messageValues;
  }
}

/** The resource does not exist or the actor may not know it exists (404, never 403). */
export class NotFoundError extends AppError {
  constructor(messageKey = "notFound") {
    super("not_found", messageKey, 404);
  }
}

/** The actor sees the resource but lacks the role for this action. */
export class ForbiddenError extends AppError {
  constructor(messageKey = "forbidden", messageValues?: Record<string, string | number>) {
    super("forbidden", messageKey, 403, { messageValues });
  }
}

/** Input was refused; `fieldErrors` maps field names to message keys. */
export class ValidationError extends AppError {
  constructor(fieldErrors: Record<string, string[]>, messageKey = "validationFailed") {
    super("validation_failed", messageKey, 400, { fieldErrors });
  }
}

export class ConflictError extends AppError {
  constructor(messageKey: string) {
    super("conflict", messageKey, 409);
  }
}

/** Too many requests of one kind from one address or for one e-mail address (lib/rate-limit/people.ts). */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, messageKey = "rateLimited") {
    super("rate_limited", messageKey, 429, {
      messageValues: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * A Postgres unique violation on `constraint` (23505), whichever driver wrapped it (the cause
 * chain is walked). A violation that does not name its constraint counts too.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let current = error; current && typeof current === "object"; current = (current as { cause?: unknown }).cause) {
    const { code, constraint: name } = current as { code?: unknown; constraint?: unknown };
    if (code === "23505") return name === undefined || name === constraint;
  }
  return false;
}
