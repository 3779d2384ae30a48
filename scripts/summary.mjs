// The one closing line CI reads: `N passed, N failed`, plus `, N skipped` only when some were skipped.
export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : "");
}
