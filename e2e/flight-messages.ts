/**
 * The messages a page hands to next-intl's client provider(s), read from its HTML. The App Router
 * streams the React Server Components payload inline as `self.__next_f.push([1, "<chunk>"])`
 * scripts; every NextIntlClientProvider in it is serialised with its props, `"messages":{…}`
 * included. This is what the browser downloads, so it is what the client-messages checks measure.
 */

/** The RSC payload of a page: the string chunks of its `self.__next_f.push([1, "…"])` scripts. */
export function flightPayload(html: string): string {
  const chunks: string[] = [];
  for (const match of html.matchAll(/self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)/g)) {
    chunks.push(JSON.parse(match[1] ?? '""') as string);
  }
  return chunks.join("");
}

/** The JSON object that starts at `start` (a "{"), as text: braces are counted outside strings. */
function objectAt(text: string, start: number): string {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "{") {
      depth++;
    } else if (char === "}") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error("unterminated messages object in the RSC payload");
}

export type ProvidedMessages = { json: string; messages: Record<string, unknown> };

/** Every `"messages":{…}` prop in a page's RSC payload (one per client provider on the page). */
export function providedMessages(html: string): ProvidedMessages[] {
  const payload = flightPayload(html);
  const found: ProvidedMessages[] = [];
  for (const match of payload.matchAll(/"messages":\{/g)) {
    const json = objectAt(payload, (match.index ?? 0) + '"messages":'.length);
    found.push({ json, messages: JSON.parse(json) as Record<string, unknown> });
  }
  return found;
}

/** Every message key path ("documents.types.receipt") of a messages object. */
export function messageKeys(tree: unknown, prefix = ""): string[] {
  return Object.entries(tree as Record<string, unknown>).flatMap(([key, value]) => {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === "object" ? messageKeys(value, keyPath) : [keyPath];
  });
}
