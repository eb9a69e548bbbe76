// `npm run files:migrate [-- --no-verify]`: copies the document files of the local store
// (KOPPEL_DATA_DIR/files) into the S3 bucket named by the S3_* settings, under the same keys, before
// an operator switches to FILE_STORE=s3. Safe to run twice (and after an interruption): what is
// already in the bucket with the same size is skipped. Local files are left as they are.
import path from "node:path";
import { dataDir, env } from "@/lib/env";
import { s3SettingsFromEnv } from "@/lib/storage";
import { migrateLocalFilesToS3 } from "@/lib/storage/migrate";
import { S3FileStore } from "@/lib/storage/s3";

const verify = !process.argv.includes("--no-verify");
const e = env();
if (!e.S3_BUCKET || !e.S3_REGION) {
  console.error("[koppel] set S3_BUCKET and S3_REGION (and S3_ENDPOINT, the keys…) to the bucket to copy into");
  process.exit(2);
}
const localRoot = path.join(dataDir(), "files");
const target = new S3FileStore(s3SettingsFromEnv());
console.log(
  `[koppel] copying ${localRoot} into s3://${e.S3_BUCKET}${verify ? " (each copy read back and compared)" : ""}`,
);
const started = Date.now();
let seen = 0;
try {
  const report = await migrateLocalFilesToS3(localRoot, target, {
    verify,
    onProgress: () => {
      seen += 1;
      if (seen % 500 === 0) console.log(`[koppel] ${seen} files…`);
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `[koppel] ${report.copied} copied (${(report.bytesCopied / 1_048_576).toFixed(1)} MB), ${report.alreadyThere} already in the bucket, in ${seconds} s`,
  );
  for (const key of report.skipped) console.log(`[koppel] left alone (not a stored file): ${key}`);
  for (const key of report.mismatched) console.error(`[koppel] read back different bytes: ${key}`);
  if (report.mismatched.length > 0) process.exitCode = 1;
} finally {
  target.destroy();
}
