import { listPackages } from "@/lib/packages/catalog";

/**
 * How alike two package articles are once every package's name is taken out: the Jaccard index
 * (shared / all) of their sets of 4-word shingles (each run of 4 consecutive words).
 *
 * Why this measure: an article copied from another with the name swapped keeps nearly every run
 * of 4 words, so it scores close to 1 (the self-test in tests/unit/lib/help/similarity.test.ts
 * checks that a swapped copy, even with a sentence changed, stays above the threshold); two
 * articles written for their own package share only the stock phrases of the app's steps ("click
 * Save", "open the dossier's Integration tab"), a small part of all their shingles. Words, not
 * characters, so reflowed lines and punctuation do not count; shingles, not single words, so
 * sharing a vocabulary (every article says "FTP", "folder", "address") does not count either.
 *
 * Every word of every package's name and id is removed from both texts before comparing (so "Exact
 * Online" and "Yuki" read the same), with the help's own words left in.
 */
export const SHINGLE_SIZE = 4;

/**
 * At or above this, two package articles are near-identical. Measured on the first 17 package
 * articles per language: the most alike real pairs scored 0.15 (fr Winbooks ~ Wings, Wolters
 * Kluwer ~ Syneton DMS: same kind of package, written each for its own); a copy with the name
 * swapped scores 1, and still above 0.8 with a sentence changed.
 */
export const SIMILARITY_THRESHOLD = 0.5;

const NAME_WORDS = new Set(
  listPackages()
    .flatMap((entry) => [...entry.name.split(/[\s/()-]+/), ...entry.id.split("-")])
    .map((word) => word.toLowerCase())
    .filter(Boolean),
);

export function shinglesOf(text: string): Set<string> {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !NAME_WORDS.has(word));
  const shingles = new Set<string>();
  for (let i = 0; i + SHINGLE_SIZE <= words.length; i++) shingles.add(words.slice(i, i + SHINGLE_SIZE).join(" "));
  return shingles;
}

/** 0 (nothing in common) … 1 (the same text but for package names). */
export function packageSimilarity(a: string, b: string): number {
  const left = shinglesOf(a);
  const right = shinglesOf(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const shingle of left) if (right.has(shingle)) shared++;
  return shared / (left.size + right.size - shared);
}
