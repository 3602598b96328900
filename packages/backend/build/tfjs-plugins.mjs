// esbuild plugins that let us bundle the parts of tfjs we need while keeping ONE copy of tfjs-core:
// `@tensorflow/tfjs-core` itself stays external (the user's copy), and every tfjs-internal import that the
// bundled files make is rewritten to the public entry. See docs/architecture.md ("one tfjs-core").
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const coreMain = require.resolve('@tensorflow/tfjs-core');
const coreDist = dirname(coreMain);
const tf = require('@tensorflow/tfjs-core');
const publicNames = new Set(Object.keys(tf));
// Internal util modules whose exports tfjs-core re-exports through a public namespace.
const namespaceOf = (absPath) => {
  const rel = absPath.slice(coreDist.length + 1).replace(/\.js$/, '');
  if (rel === 'util' || rel === 'util_base') return 'util';
  if (/^ops\/[a-z_]+_util$/.test(rel)) return 'backend_util';
  return null;
};

function resolveCoreFile(fromFile, spec) {
  const p = resolve(dirname(fromFile), spec);
  for (const c of [`${p}.js`, join(p, 'index.js'), p]) {
    try {
      readFileSync(c);
      return c;
    } catch {}
  }
  throw new Error(`tfjs-plugins: cannot resolve ${spec} from ${fromFile}`);
}

/** Rewrites the relative imports of a tfjs-core internal file to imports from the public entry. */
function rewriteCoreFile(file, source) {
  const head = [];
  const body = source.replace(
    /^import\s+(?:(\*\s+as\s+(\w+))|\{([^}]*)\})\s+from\s+'(\.[^']*)';?/gm,
    (whole, _star, nsName, names, spec) => {
      const target = resolveCoreFile(file, spec);
      if (target.includes(`${join(coreDist, 'gradients')}/`) && !file.includes('/ops/')) return whole; // bundle sibling grads
      if (nsName) {
        const ns = namespaceOf(target);
        if (!ns) return whole;
        head.push(`import { ${ns} as ${nsName} } from '@tensorflow/tfjs-core';`);
        return '';
      }
      const parts = names
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const [imported, local = imported] = s.split(/\s+as\s+/);
          return { imported, local };
        });
      const ns = namespaceOf(target);
      const mapped = parts.map(({ imported, local }) => {
        if (imported === 'ENGINE') return `const ${local} = __tfpub.engine();`;
        if (publicNames.has(imported)) return `const ${local} = __tfpub.${imported};`;
        if (ns && typeof tf[ns]?.[imported] !== 'undefined')
          return `const ${local} = __tfpub.${ns}.${imported};`;
        if (typeof tf.backend_util?.[imported] !== 'undefined')
          return `const ${local} = __tfpub.backend_util.${imported};`;
        return null;
      });
      if (mapped.some((m) => m === null)) return whole; // not all public: bundle that file (rewritten in turn)
      return mapped.join('\n');
    },
  );
  return `import * as __tfpub from '@tensorflow/tfjs-core';\n${head.join('\n')}\n${body}`;
}

/** Bundles tfjs-core's gradient configs, redirected to the public tfjs-core API. */
export function tfjsGradientsPlugin() {
  return {
    name: 'tfjs-gradients',
    setup(b) {
      b.onResolve({ filter: /^virtual:tfjs-gradient-configs$/ }, () => ({
        path: 'gradient-configs',
        namespace: 'tfjs-gradients',
      }));
      b.onLoad({ filter: /.*/, namespace: 'tfjs-gradients' }, () => {
        const dir = join(coreDist, 'gradients');
        const files = readdirSync(dir).filter((f) => /_grad\.js$/.test(f));
        const lines = [];
        for (const f of files) {
          const src = readFileSync(join(dir, f), 'utf8');
          for (const m of src.matchAll(/export const (\w+GradConfig)\b/g))
            lines.push(`export { ${m[1]} } from '${join(dir, f)}';`);
        }
        return { contents: lines.join('\n'), loader: 'js', resolveDir: dir };
      });
      b.onLoad({ filter: /tfjs-core[\\/]dist[\\/].*\.js$/ }, (args) => {
        if (args.path === coreMain) return undefined;
        return { contents: rewriteCoreFile(args.path, readFileSync(args.path, 'utf8')), loader: 'js' };
      });
    },
  };
}

/**
 * The Emscripten glue decides at load time whether it runs in Node (and then calls require('fs'), uses
 * __dirname and installs process handlers). We always hand it the binary ourselves, so it must never take
 * that branch: it breaks ESM bundles in Node, Deno and workerd with nodejs_compat.
 */
export function wasmGluePlugin() {
  return {
    name: 'tfjs-wasm-glue',
    setup(b) {
      b.onLoad({ filter: /tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm\.js$/ }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        const patched = src.replace(
          /var ENVIRONMENT_IS_NODE\s*=\s*typeof process\s*==\s*"object"[^;]*;/,
          'var ENVIRONMENT_IS_NODE=false;',
        );
        if (patched === src)
          throw new Error('tfjs-wasm-glue: ENVIRONMENT_IS_NODE pattern not found (tfjs version changed?)');
        return { contents: patched, loader: 'js' };
      });
      // Single-threaded only: the threaded glue and its worker are never used (saves ~36 KB).
      b.onResolve({ filter: /tfjs-backend-wasm-threaded-simd(\.worker)?\.js$/ }, (args) => ({
        path: args.path,
        namespace: 'tfjs-threaded-stub',
      }));
      b.onLoad({ filter: /.*/, namespace: 'tfjs-threaded-stub' }, () => ({
        contents:
          'export default function(){throw new Error("siamese: the threaded wasm backend is not bundled")}; export const wasmWorkerContents="";',
        loader: 'js',
      }));
      // The wasm package's node-only helpers (fs, path, os, perf_hooks, worker_threads) are never reached.
      b.onResolve({ filter: /^(fs|path|os|perf_hooks|worker_threads|util|crypto)$/ }, (args) =>
        args.importer.includes('tfjs-backend-wasm')
          ? { path: args.path, namespace: 'empty-node' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'empty-node' }, () => ({
        contents: 'export default {};',
        loader: 'js',
      }));
    },
  };
}

/** Keeps `import x from './tfjs-backend-wasm-simd.wasm'` as a module import (Workers need a WebAssembly.Module). */
export function wasmModuleImportPlugin() {
  return {
    name: 'wasm-module-import',
    setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: args.path, external: true }));
      // `import s from './x.wasm?base64'`: the file's bytes as a base64 string, inlined in the bundle.
      b.onResolve({ filter: /\.wasm\?base64$/ }, (args) => ({
        path: resolve(args.resolveDir, args.path.replace(/\?base64$/, '')),
        namespace: 'wasm-base64',
      }));
      b.onLoad({ filter: /.*/, namespace: 'wasm-base64' }, (args) => ({
        contents: `export default ${JSON.stringify(readFileSync(args.path).toString('base64'))};`,
        loader: 'js',
      }));
    },
  };
}
