import { SILENT_GRACE_MS, SilentOwners } from './silent-owners';

describe('SilentOwners', () => {
  let clock: number;
  const owners = () => new SilentOwners(() => clock);
  beforeEach(() => (clock = 1_000_000));

  it('counts an owner gone only after it has been silent for the whole grace', () => {
    const silent = owners();
    expect(silent.gone('a', false)).toBe(false);
    clock += SILENT_GRACE_MS - 1;
    expect(silent.gone('a', false)).toBe(false);
    clock += 1;
    expect(silent.gone('a', false)).toBe(true);
  });

  it('forgets a silence once the owner listens again (a subscriber that reconnected)', () => {
    const silent = owners();
    expect(silent.gone('a', false)).toBe(false);
    clock += SILENT_GRACE_MS - 500;
    expect(silent.gone('a', true)).toBe(false);
    clock += 1000;
    // Silent again: a new silence, counted from now.
    expect(silent.gone('a', false)).toBe(false);
    clock += SILENT_GRACE_MS - 1;
    expect(silent.gone('a', false)).toBe(false);
  });

  it('counts each owner on its own', () => {
    const silent = owners();
    silent.gone('a', false);
    clock += SILENT_GRACE_MS;
    expect(silent.gone('b', false)).toBe(false);
    expect(silent.gone('a', false)).toBe(true);
  });

  it('does not keep owners nobody has asked about for long', () => {
    const silent = owners();
    silent.gone('crashed-long-ago', false);
    clock += 61 * SILENT_GRACE_MS;
    silent.gone('other', false);
    // Forgotten, so heard silent now for the first time: not gone yet.
    expect(silent.gone('crashed-long-ago', false)).toBe(false);
  });
});
