// The Worker that runs the suite inside workerd. Golden files and data arrive bundled (virtual module).
import files from 'conformance:fixture-files';
import { formatResults, runSuites, suites } from '../dist/all.js';

const ctx = {
  runtime: 'workerd',
  reference: JSON.parse(files.reference),
  golden: async (name) => {
    const text = files[`golden/${name}.json`];
    if (text === undefined) throw new Error(`golden file ${name}.json was not bundled`);
    return JSON.parse(text);
  },
  fixture: async (path) => {
    const b64 = files[`fixture/${path}`];
    if (b64 === undefined) throw new Error(`fixture ${path} was not bundled`);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  },
  saved: async (name) => {
    const text = files[`saved/${name}.json`];
    if (text === undefined) throw new Error(`saved model file ${name}.json was not bundled`);
    return JSON.parse(text);
  },
  data: async (path) => {
    const text = files[`data/${path}`];
    if (text === undefined) throw new Error(`data file ${path} was not bundled`);
    return text;
  },
};

export default {
  async fetch() {
    const outcome = await runSuites(suites, ctx);
    const failed = outcome.results.filter((r) => !r.ok).length;
    return Response.json({
      total: outcome.results.length,
      failed,
      report: formatResults('workerd', outcome),
    });
  },
};
