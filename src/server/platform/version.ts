import { readFileSync } from 'node:fs';

// The same relative path works from src/server/platform and dist/server/platform.
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const VERSION = pkg.version;
