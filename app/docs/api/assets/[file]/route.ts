import { isReferenceAssetName, REFERENCE_ASSETS, readReferenceAsset } from "@/lib/api/reference/assets";

export const runtime = "nodejs";

type Params = { params: Promise<{ file: string }> };

/** Swagger UI's files and our init script for /docs/api; any other name is 404. */
export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { file } = await params;
  if (!isReferenceAssetName(file)) return new Response("Not found", { status: 404 });
  const bytes = await readReferenceAsset(file);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "content-type": REFERENCE_ASSETS[file].contentType,
      "x-content-type-options": "nosniff",
      "cache-control": "public, max-age=3600",
    },
  });
}
