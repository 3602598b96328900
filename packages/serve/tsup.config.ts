import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Two entries: the handler (`.`, no `node:` imports, so it bundles for Workers and browsers) and the Node server
// adapter (`./node`).
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/node.ts'] });
