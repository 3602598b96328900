import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Two entries: everything (`.`) and the file readers (`./node`, the only one that reaches `node:fs`).
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/node.ts'] });
