/**
 * `Content-Disposition` for a file answer: `filename="…"` for old clients (ASCII only, no quotes)
 * and `filename*=` with the real name. Shared by the document routes and the API.
 */
export function contentDisposition(kind: "inline" | "attachment", fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_") || "document";
  // RFC 5987: percent-encode everything but the attr-chars.
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
