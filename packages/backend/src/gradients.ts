// Generated at build time from tfjs-core's gradient files, rewritten to use the public tfjs-core entry
// (build/tfjs-plugins.mjs): tfjs-core ships them with extension-less imports that Node and Deno cannot load.
import * as configs from 'virtual:tfjs-gradient-configs';
import { type GradConfig, getGradient, registerGradient } from '@tensorflow/tfjs-core';

let registered = false;

/** Registers every tfjs-core gradient (idempotent). Without this, training fails with "gradient function not found". */
export function registerAllGradients(): number {
  if (registered) return 0;
  let n = 0;
  for (const config of Object.values(configs) as GradConfig[]) {
    if (getGradient(config.kernelName) == null) {
      registerGradient(config);
      n++;
    }
  }
  registered = true;
  return n;
}
