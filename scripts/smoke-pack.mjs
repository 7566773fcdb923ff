// Packaging smoke test: pack every published package as npm would publish it, install the
// tarballs into a scratch ESM project and a scratch CommonJS project outside the workspace,
// and load every public entry from each. Catches what tests against src cannot: missing
// files, wrong exports, a CJS build that does not load.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esmOnlySubpaths, publicEntries, publishedPackages, specifier } from './workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'arm-smoke-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
const packages = publishedPackages();

try {
  for (const { dir } of packages) {
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: 'ignore' });
  }
  /** @type {Record<string, string>} */
  const dependencies = {};
  for (const file of readdirSync(tarballs)) {
    const pkg = packages.find(({ manifest }) =>
      file.startsWith(`${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`),
    );
    if (pkg) dependencies[pkg.name] = `file:${join(tarballs, file)}`;
  }
  // Optional peers (Redis clients, vitest for conformance suites) are what users of those
  // entries install beside the package; the scratch projects install them too.
  for (const { manifest } of packages) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (!(name in dependencies)) dependencies[name] = /** @type {string} */ (range);
    }
  }
  const entries = packages.flatMap(({ manifest }) => publicEntries(manifest));
  const esmOnly = new Set(
    packages.flatMap(({ manifest }) =>
      [...esmOnlySubpaths(manifest)].map((subpath) => specifier(manifest.name, subpath)),
    ),
  );

  for (const type of ['module', 'commonjs']) {
    const project = join(scratch, type);
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: `arm-smoke-${type}`,
        private: true,
        type,
        dependencies,
        overrides: Object.fromEntries(
          Object.entries(dependencies).filter(([name]) => name.startsWith('@arm/')),
        ),
      }),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      stdio: 'inherit',
    });
    // CommonJS code reaches ESM-only entries through import(), as its users must.
    const load = (/** @type {string} */ spec) =>
      type === 'module' || esmOnly.has(spec)
        ? `await import(${JSON.stringify(spec)})`
        : `require(${JSON.stringify(spec)})`;
    const checks = entries.map(
      (spec) => `{
        const entry = ${load(spec)};
        if (Object.keys(entry).length === 0) throw new Error(${JSON.stringify(`${spec} exports nothing`)});
        console.log('  ok ${type} ${spec}: ' + Object.keys(entry).length + ' exports');
      }`,
    );
    // Both builds of @arm/errors loaded in one process are two copies; they must agree.
    checks.push(`{
      const { createRequire } = ${load('node:module')};
      const cjs = createRequire(${JSON.stringify(join(project, 'index.js'))})('@arm/errors');
      const esm = await import('@arm/errors');
      if (cjs.AppError === esm.AppError) throw new Error('expected two copies of @arm/errors');
      if (!esm.isAppError(new cjs.NotFoundError()) || !(new esm.NotFoundError() instanceof cjs.NotFoundError)) {
        throw new Error('isAppError/instanceof disagree across the ESM and CJS copies');
      }
      console.log('  ok ${type}: ESM and CJS copies of @arm/errors agree');
    }`);
    const file = join(project, type === 'module' ? 'smoke.mjs' : 'smoke.cjs');
    const body = checks.join('\n');
    writeFileSync(
      file,
      type === 'module'
        ? body
        : `(async () => {\n${body}\n})().catch((error) => { console.error(error); process.exit(1); });`,
    );
    console.log(`\n> ${type} project`);
    execFileSync('node', [file], { cwd: project, stdio: 'inherit' });
  }
  console.log(`\nsmoke: ${entries.length} entries load from the packed tarballs as ESM and CJS`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
