// Node module hooks (run on the loader thread): remember every module URL loaded, and tell the
// main thread the list when it asks (register.mjs).
const loaded = new Set();

export async function initialize(port) {
  port.on("message", () => port.postMessage([...loaded]));
}

export async function load(url, context, nextLoad) {
  loaded.add(url);
  return nextLoad(url, context);
}
