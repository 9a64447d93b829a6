// Lease holder names: what they record, how they read back, and when a holder is certainly gone.
import { formatLeaseHolder, isLeaseHolderGone, newLeaseHolder, parseLeaseHolder } from './lease-holder';

describe('lease holder', () => {
  it('names host, pid and a fresh instance id per refresher', () => {
    const a = newLeaseHolder('box-1', 321);
    const b = newLeaseHolder('box-1', 321);
    expect(formatLeaseHolder(a)).toMatch(/^box-1:321:[0-9a-f-]{36}$/);
    expect(a.instance).not.toBe(b.instance);
    expect(parseLeaseHolder(formatLeaseHolder(a))).toEqual(a);
  });

  it('reads a host that has colons in it, and refuses names in other formats', () => {
    expect(parseLeaseHolder('fe80::1:77:abc')).toEqual({ host: 'fe80::1', pid: 77, instance: 'abc' });
    // The holder names of byokey before heartbeats, and junk.
    expect(parseLeaseHolder('byokey-4242-2b1f0c7e-6f51-4f0e-9d4b-1f0b6a2f7c11')).toBeUndefined();
    expect(parseLeaseHolder('host:0:x')).toBeUndefined();
    expect(parseLeaseHolder('host:12x:x')).toBeUndefined();
  });

  describe('isLeaseHolderGone', () => {
    const self = newLeaseHolder('box-1', 100);
    const alive = new Set([200]);
    const gone = (name: string) => isLeaseHolderGone(name, self, (pid) => alive.has(pid));

    it('is true for a holder on this host whose process does not exist', () => {
      expect(gone('box-1:300:x')).toBe(true);
      expect(gone('box-1:200:x')).toBe(false);
    });

    it('is true for a holder with our pid that this process never made, false for one it did', () => {
      expect(gone('box-1:100:from-before-the-restart')).toBe(true);
      expect(gone(formatLeaseHolder(self))).toBe(false);
      expect(gone(formatLeaseHolder(newLeaseHolder('box-1', 100)))).toBe(false);
    });

    it('never judges a holder on another host or with an unreadable name (its heartbeat does)', () => {
      expect(gone('box-2:300:x')).toBe(false);
      expect(gone('byokey-300-x')).toBe(false);
    });
  });
});
