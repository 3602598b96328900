import { describe, expect, it } from 'vitest';
import { onFreePort } from '../scripts/serve.mjs';

describe('onFreePort (the probe-then-bind race of the test servers)', () => {
  it('tries a fresh port when the server finds its port taken, and rethrows anything else at once', async () => {
    const ports: number[] = [];
    const taken = async (port: number) => {
      ports.push(port);
      if (ports.length === 1) throw new Error(`workerd: bind(127.0.0.1:${port}): Address already in use`);
      return port;
    };
    expect(await onFreePort(taken)).toBe(ports[1]);
    expect(ports).toHaveLength(2);
    expect(ports.every((p) => Number.isInteger(p) && p > 0)).toBe(true);
    let calls = 0;
    const broken = async () => {
      calls++;
      throw new Error('workerd: bad config');
    };
    await expect(onFreePort(broken)).rejects.toThrow('bad config');
    expect(calls).toBe(1);
    let always = 0;
    await expect(
      onFreePort(async () => {
        always++;
        throw new Error('EADDRINUSE');
      }, 3),
    ).rejects.toThrow('EADDRINUSE');
    expect(always).toBe(3);
  });
});
