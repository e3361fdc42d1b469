/**
 * The layer map, checked on every `npm run lint`. A module may import its own layer and the ones
 * below it, never one above, and nothing may form a cycle (type-only imports count: a cycle of
 * types is still a knot). Lowest first:
 *
 *   util          errors, logging, secrets, durations, integer splits, files, names
 *   metrics stats histograms, recording, snapshots, merging; pure statistics
 *   providers profiles   database kinds and their capabilities; load profiles and their executors
 *   operations    operations (data) compiled against a provider
 *   config        the scenario schema, composed from the layers below, and its loading
 *   plan          the resolved run plan
 *   engine        runtime, worker tasks, sites, the one engine
 *   distributed   agents and the coordinator over NATS
 *   report        the report built from an engine result, its analyses and comparisons
 *   views api cli container uow   what users touch: console/HTML views, library API, CLI
 */
const LAYERS = [
  ['util', '^src/(util/|errors\\.ts|log\\.ts|version\\.ts)'],
  ['metrics', '^src/(metrics|stats)/'],
  ['providers', '^src/(providers|profiles)/'],
  ['operations', '^src/operations/'],
  ['config', '^src/config/'],
  ['plan', '^src/plan/'],
  ['engine', '^src/engine/'],
  ['distributed', '^src/distributed/'],
  ['report', '^src/report/'],
  ['surface', '^src/(views|api|cli|container|uow)/|^src/index\\.ts'],
];

const upward = LAYERS.flatMap(([name, path], i) =>
  LAYERS.slice(i + 1).map(([above, abovePath]) => ({
    name: `${name}-not-to-${above}`,
    comment: `${name} is below ${above}: it may not import it`,
    severity: 'error',
    from: { path },
    to: { path: abovePath },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'workers-only-engine', severity: 'error', from: { path: '^workers/' }, to: { path: '^src/(?!engine/|util/|errors\\.ts)' } },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
