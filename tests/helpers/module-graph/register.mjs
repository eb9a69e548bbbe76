// `node --import tsx --import ./register.mjs probe.ts <module>`: registers hooks.mjs after tsx's
// hooks, so it sees every module, and gives the probe `globalThis.__loadedModuleUrls()`.
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const { port1, port2 } = new MessageChannel();
register("./hooks.mjs", import.meta.url, { data: port2, transferList: [port2] });
port1.unref();
globalThis.__loadedModuleUrls = () =>
  new Promise((resolve) => {
    port1.once("message", resolve);
    port1.postMessage("list");
  });
