// Cloudflare Worker entry, bundled by `wrangler deploy --dry-run` and run in workerd: the same program on data and
// Node's model bundled as modules (Text and Data). GET / answers the JSON report.
import * as sdk from '@siamese/sdk';
import devText from './data/dev.tsv';
import trainText from './data/train.tsv';
import { run } from './logic.mjs';
import reference from './out/model.bin';

let report;
export default {
  async fetch() {
    try {
      const options = { normalizeScores: { from: [0, 5] } };
      report ??= (
        await run(sdk, {
          train: (await sdk.readPairs(trainText, options)).pairs,
          dev: (await sdk.readPairs(devText, options)).pairs,
          reference: new Uint8Array(reference),
        })
      ).report;
      return Response.json(report);
    } catch (e) {
      return new Response(`${e?.stack ?? e}`, { status: 500 });
    }
  },
};
