// The few Node APIs the tests use, declared here so the package keeps `types: []` and `src/` can never
// pick up Node globals by accident.
declare module 'node:fs' {
  export function readFileSync(path: URL | string): Uint8Array;
  export function readFileSync(path: URL | string, encoding: 'utf8'): string;
}
declare module 'node:http' {
  interface Reply {
    end(body?: Uint8Array | string): void;
    writeHead(status: number): Reply;
  }
  interface Server {
    listen(port: number, host: string, done: () => void): void;
    address(): unknown;
    close(): void;
  }
  export function createServer(handler: (req: { url?: string }, res: Reply) => void): Server;
}
