// `npm run demo`: bundles demo/app.ts into demo/dist/app.js and serves the demo/ folder plus the
// bundled Fashion-MNIST subset at /data/fashion-mnist-small/, and nothing else, with the
// cross-origin-isolation headers (COOP/COEP, so the wasm device may use threads; --no-isolation
// leaves them out: one thread). Bound to 127.0.0.1 unless --host says otherwise; --port picks the
// port (default 8080, 0: any). Paths that leave a mounted folder (`..`, encoded `%2e%2e`,
// backslashes, NUL) get 404.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const demoDir = join(root, 'demo');
/** URL prefix → folder; the first prefix a path starts with wins, so '/' comes last. */
const MOUNTS = [['/data/fashion-mnist-small/', join(root, 'data', 'fashion-mnist-small')], ['/', demoDir]];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Bundles the demo script (the library with its wasm inlined). */
export async function buildDemo() {
  const { inlineWasm } = await import('./bundle.mjs');
  await build({
    entryPoints: [join(demoDir, 'app.ts')], outfile: join(demoDir, 'dist', 'app.js'), bundle: true, format: 'esm',
    platform: 'browser', target: 'es2022', loader: { '.wasm': 'binary' }, plugins: [inlineWasm], logLevel: 'warning', absWorkingDir: root,
  });
}

/** The file a request path names under `mounts`, or null when it names none or would leave its folder. */
export function resolveMounted(mounts, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (!p.startsWith('/') || p.includes('\0') || p.includes('\\') || p.split('/').includes('..')) return null;
  const [prefix, dir] = mounts.find(([m]) => p.startsWith(m)) ?? [];
  if (dir === undefined) return null;
  const rest = p.slice(prefix.length - 1);
  const file = resolve(dir, `.${rest.endsWith('/') ? `${rest}index.html` : rest}`);
  return file.startsWith(dir + sep) ? file : null;
}

/** Serves the mounts on host:port (`isolate`: send COOP/COEP); resolves to the server and its URL. */
export function serve({ host = '127.0.0.1', port = 8080, isolate = true, mounts = MOUNTS } = {}) {
  const headers = { 'X-Content-Type-Options': 'nosniff', ...(isolate ? ISOLATION : {}) };
  const server = createServer(async (req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? resolveMounted(mounts, req.url ?? '/') : null;
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...headers }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
    res.end(req.method === 'HEAD' ? undefined : await readFile(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
  await buildDemo();
  const isolate = !process.argv.includes('--no-isolation');
  const { url } = await serve({ host: arg('host', '127.0.0.1'), port: Number(arg('port', 8080)), isolate });
  console.log(`descent demo: ${url}  (${isolate ? 'cross-origin isolated: wasm threads' : 'not isolated: one wasm thread'}; Ctrl-C to stop)`);
}
