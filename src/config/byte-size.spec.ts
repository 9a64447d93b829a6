// Covers byte-size.ts: parseByteSize turns a number of bytes or a string with a binary unit
// ("512kb", "10 MiB", "1.5k") into bytes, and answers undefined for anything that is not a
// positive size, so the schema can reject it.
import { parseByteSize } from './byte-size';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('parseByteSize', () => {
  it.each([
    [1, 1],
    [1048576, MiB],
    [200 * MiB, 200 * MiB],
  ])('takes the number %d as bytes', (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });

  it.each([
    ['1024', 1024],
    ['512b', 512],
    ['512B', 512],
    ['1k', KiB],
    ['512kb', 512 * KiB],
    ['512KB', 512 * KiB],
    ['512 KiB', 512 * KiB],
    ['10m', 10 * MiB],
    ['10mb', 10 * MiB],
    ['10MB', 10 * MiB],
    ['10 MiB', 10 * MiB],
    ['10 mib', 10 * MiB],
    ['1g', GiB],
    ['2gb', 2 * GiB],
    ['1 GiB', GiB],
    ['1.5k', 1536],
    ['0.5mb', 512 * KiB],
    ['  10mb  ', 10 * MiB],
    ['1.9', 1], // whole bytes, rounded down
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });

  it.each([
    ['zero', 0],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['"0"', '0'],
    ['"0mb"', '0mb'],
    ['a size that rounds down to 0 bytes', '0.0001k'],
    ['a word', 'lots'],
    ['an empty string', ''],
    ['a unit alone', 'mb'],
    ['an unknown unit', '10 TB'],
    ['a rate', '10 MB/s'],
    ['a negative string', '-5mb'],
    ['exponent notation', '1e3'],
    ['a thousands separator', '1,000'],
    ['a unit split by a space', '10 m b'],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['a mapping', { mb: 10 }],
    ['a list', [10]],
  ])('rejects %s', (_what, value) => {
    expect(parseByteSize(value)).toBeUndefined();
  });
});
