#!/usr/bin/env node
// The CLI is the built TypeScript (dist/): a checkout installed without its
// build step (`npm ci --ignore-scripts`) has none, and must say so, not crash.
let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist');
  process.stderr.write(
    missing
      ? 'pyhang: not built (dist/ is missing): run `npm run build` in its directory, or install it again without --ignore-scripts\n'
      : `pyhang: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`pyhang: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
