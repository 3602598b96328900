// The Worker that runs the suite inside workerd. Golden files and data arrive bundled (virtual module).
import files from 'conformance:fixture-files';
import { formatResults, runSuites, suites } from '../dist/all.js';

const ctx = {
  runtime: 'workerd',
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
  data: async (path) => {
    const text = files[`data/${path}`];
    if (text === undefined) throw new Error(`data file ${path} was not bundled`);
    return text;
  },
};

export default {
  async fetch() {
    const results = await runSuites(suites, ctx);
    const failed = results.filter((r) => !r.ok).length;
    return Response.json({ total: results.length, failed, report: formatResults('workerd', results) });
  },
};
