// After `vite build`: a brotli and a gzip copy of each built asset, so the server sends them
// compressed (@fastify/static's preCompressed) without compressing on every request.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const ASSETS = path.resolve(import.meta.dirname, '..', 'dist', 'web', 'assets');
const COMPRESSIBLE = /\.(js|css|svg|json|map)$/;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

let total = 0;
for (const name of await readdir(ASSETS)) {
  if (!COMPRESSIBLE.test(name)) continue;
  const file = path.join(ASSETS, name);
  const content = await readFile(file);
  const [br, gzipped] = await Promise.all([
    brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    gz(content, { level: 9 }),
  ]);
  await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gzipped)]);
  total += 1;
}
console.log(`Compressed ${total} web assets (brotli and gzip).`);
