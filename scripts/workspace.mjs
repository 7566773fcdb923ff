// The published packages of the workspace, read from packages/*/package.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/**
 * @typedef {{ name: string, dir: string, manifest: Record<string, any> }} WorkspacePackage
 * @returns {WorkspacePackage[]} every package under packages/ that is not private
 */
export function publishedPackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true);
}

/**
 * @param {Record<string, any>} manifest
 * @returns {string[]} the import specifiers of every public entry (`@arm/x`, `@arm/x/redis`)
 */
export function publicEntries(manifest) {
  return Object.keys(manifest.exports ?? { '.': {} })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => specifier(manifest.name, subpath));
}

/**
 * @param {Record<string, any>} manifest
 * @returns {Set<string>} subpaths (`./testing`) whose export has no `require` branch: ESM only
 */
export function esmOnlySubpaths(manifest) {
  return new Set(
    Object.entries(manifest.exports ?? {})
      .filter(
        ([, target]) => typeof target === 'object' && target !== null && !('require' in target),
      )
      .map(([subpath]) => subpath),
  );
}

/**
 * @param {string} name the package name
 * @param {string} subpath `.` or `./x`
 * @returns {string} the import specifier
 */
export function specifier(name, subpath) {
  return subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
}
