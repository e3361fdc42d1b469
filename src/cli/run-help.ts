/** What `stampede run --help` adds after the options: exit codes (first of 2 > 1 > 130 > 4 > 3 > 0 wins) and examples. */
export const RUN_HELP = `
Exit codes:
  0    complete
  1    failed or unverified (the count check could not vouch for the run, or an internal error)
  2    bad input (scenario, flag or file), one line naming what and where
  3    degraded: part of a remote share is missing from some window
  4    a threshold failed
  130  interrupted (Ctrl-C)
  When several apply, the first of 2, 1, 130, 4, 3, 0 wins.

Examples:
  stampede run scenarios/quickstart.yaml --duration 30s --html quickstart.html
  stampede run scenarios/compare-all.yaml --interleave 8 --dashboard
`;
