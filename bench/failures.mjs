// What went wrong during a run. Any failure makes the run exit non-zero; warnings are reported.
export const failures = [];
export const warnings = [];

export const fail = (message) => failures.push(message);

/** Throws when anything failed so far, so that a broken run stops at the phase that broke it. */
export function assertNoFailures() {
  if (failures.length > 0) throw new Error(`the run failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
}
