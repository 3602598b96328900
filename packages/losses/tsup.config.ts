import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

// Code splitting: the testing entry shares one copy of the registry and losses with the main entry.
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/testing.ts'], splitting: true });
