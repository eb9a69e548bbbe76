import { resetEnvCache } from "@/lib/env";

/** Sets a deployment flag ("1"/"0") or clears it (undefined), and makes lib/env read it again. */
export function setEnvFlag(name: string, value: "0" | "1" | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  resetEnvCache();
}

/** KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1" lets API connections call the local fakes; undefined clears it. */
export function allowCustomApiHosts(value: "1" | undefined): void {
  setEnvFlag("KOPPEL_ALLOW_CUSTOM_API_HOSTS", value);
}
