/**
 * The one place the SDK asks which runtime it is on, what time it is, and how to read or write a file. Every
 * other package calls these instead of probing globals itself, and none of it imports `node:` modules
 * statically, so every package stays loadable on Cloudflare Workers and in browsers.
 *
 * @module
 */
import { SiameseError } from './errors.js';

/** The runtimes the SDK tells apart (hono's `getRuntimeKey()` vocabulary, plus `browser`). */
export type RuntimeKey = 'node' | 'deno' | 'bun' | 'workerd' | 'browser' | 'other';

interface RuntimeGlobals {
  Deno?: { readFile(path: string | URL): Promise<Uint8Array> };
  Bun?: { file(path: string | URL): { arrayBuffer(): Promise<ArrayBuffer> } };
  process?: { release?: { name?: string }; getBuiltinModule?: (name: string) => unknown };
  navigator?: { userAgent?: string };
  document?: unknown;
}

const g = (): RuntimeGlobals => globalThis as RuntimeGlobals;

/** Which runtime this is. Deno and Bun are checked before Node, whose globals they also provide. */
export function runtimeKey(): RuntimeKey {
  const r = g();
  if (r.Deno) return 'deno';
  if (r.Bun) return 'bun';
  if (r.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (r.process?.release?.name === 'node') return 'node';
  if (r.document !== undefined) return 'browser';
  return 'other';
}

/** Milliseconds from an arbitrary origin, for durations: `performance.now()`, or `Date.now()` where absent. */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** The subset of `node:fs/promises` the SDK uses (Node, Deno and Bun all provide it). */
export interface FileSystem {
  readFile(path: string | URL): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options?: { force?: boolean; recursive?: boolean }): Promise<void>;
  stat(path: string): Promise<FileStats>;
  /** As `stat`, but a symbolic link is described itself, not followed. */
  lstat(path: string): Promise<FileStats>;
  /** The canonical absolute path (symbolic links resolved). */
  realpath(path: string): Promise<string>;
  /** Names of the entries of a directory. */
  readdir(path: string): Promise<string[]>;
  /** Opens a file for reading: reads stay bounded by the size of the file that was opened. */
  open(path: string, flags: 'r'): Promise<FileHandle>;
}

/** What the SDK reads of a file's status (a subset of `node:fs` `Stats`). */
export interface FileStats {
  size: number;
  /** Last modification, in milliseconds since the epoch. */
  mtimeMs: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/** An open file (a subset of `node:fs/promises` `FileHandle`). */
export interface FileHandle {
  stat(): Promise<FileStats>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/**
 * The runtime's `fs/promises`, or an `E_NO_FILESYSTEM` error on runtimes without files (Workers, browsers),
 * which load models and data from bytes, URLs or `Response`s instead.
 */
export async function fileSystem(): Promise<FileSystem> {
  const builtin = g().process?.getBuiltinModule?.('fs/promises') as FileSystem | undefined;
  if (builtin) return builtin;
  try {
    const name = 'node:fs/promises'; // a variable, so bundlers for the edge do not try to resolve it
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as FileSystem;
  } catch (e) {
    throw new SiameseError(
      'E_NO_FILESYSTEM',
      `file paths need a runtime with a file system (Node, Deno, Bun), found ${runtimeKey()}: on Workers and in browsers pass bytes, a URL or a Response`,
      { cause: e, details: { runtime: runtimeKey() } },
    );
  }
}

/** Reads a local file (a path or a `file:` URL) with the runtime's own API. */
export async function readFile(path: string | URL): Promise<Uint8Array> {
  const r = g();
  if (r.Deno) return r.Deno.readFile(path);
  if (r.Bun) return new Uint8Array(await r.Bun.file(path).arrayBuffer());
  return new Uint8Array(await (await fileSystem()).readFile(path));
}
