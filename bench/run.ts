// `npm run bench [name…]`: runs every bench module (or the named ones) in turn.
const MODULES: Record<string, () => Promise<{ bench: () => Promise<void> }>> = {
  core: () => import('./core.js'),
  profiles: () => import('./profiles.js'),
  providers: () => import('./providers.js'),
  distributed: () => import('./distributed.js'),
  compare: () => import('./compare.js'),
};

const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(MODULES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n# bench: ${name}\n`);
  await (await load()).bench();
}
