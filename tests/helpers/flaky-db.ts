import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { Db, OpenedDb } from "@/db";
import * as schema from "@/db/schema";

/** What a pool answers when the server is gone: node-postgres's error for a refused connection. */
export function connectionRefused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
    errno: -111,
    syscall: "connect",
  });
}

const CLIENT_CALLS = new Set(["query", "exec", "transaction", "connect"]);

/**
 * The test database behind a switch: while `down`, every call of the client (PGlite's or the
 * node-postgres pool's: query, exec, transaction, connect) fails as a refused connection, before
 * reaching the server, as during a real outage. The same tables and data as `opened`.
 */
export function flakyDb(opened: OpenedDb): { db: Db; opened: OpenedDb; setDown(isDown: boolean): void; calls: number } {
  const state = { down: false, calls: 0 };
  const client = (opened.db as unknown as { $client: object }).$client;
  const proxy = new Proxy(client, {
    get(target, property, _receiver) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (typeof property === "string" && CLIENT_CALLS.has(property)) {
          state.calls++;
          if (state.down) return Promise.reject(connectionRefused());
        }
        return value.apply(target, args);
      };
    },
  });
  const options = { schema, casing: "snake_case" as const };
  const db = (opened.driver === "pglite"
    ? drizzlePglite({ client: proxy as never, ...options })
    : drizzlePg({ client: proxy as never, ...options })) as unknown as Db;
  return {
    db,
    opened: { ...opened, db },
    setDown(isDown: boolean) {
      state.down = isDown;
    },
    get calls() {
      return state.calls;
    },
  };
}
