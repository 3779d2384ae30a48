import { GitError } from "../errors";
import type { RepoInfo } from "./types";

/** The limit a manifest repository must stay under: 100 MB (a project requirement; no public Codefresh page states it). */
export const defaultMaxSizeBytes = 100 * 1024 * 1024;

/** Bytes as MB (MiB, as the limit is defined), one decimal: `104857600` → `100.0 MB`. */
export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Refuses a repository over `maxSizeBytes` (default {@link defaultMaxSizeBytes}) where its size is known. */
export function assertWithinSize(info: RepoInfo, maxSizeBytes: number | undefined): RepoInfo {
  const max = maxSizeBytes ?? defaultMaxSizeBytes;
  if (info.sizeBytes !== undefined && info.sizeBytes > max) {
    throw new GitError(
      "too-large",
      `${info.fullName} is ${formatMb(info.sizeBytes)}, over the limit of ${formatMb(max)} (maxSizeBytes); use a smaller repository`,
    );
  }
  return info;
}
