import { Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-series';

/** The same observations through prom-client's own metrics and through ours must scrape to the same text. */
describe('fast series', () => {
  const observations: [string, string, number][] = [
    ['/v1/chat/completions', 'alpha', 0.02],
    ['/v1/chat/completions', 'alpha', 0.3],
    ['/v1/chat/completions', 'beta', 7],
    ['/v1/messages', 'alpha', 100],
    ['/v1/chat/completions', 'alpha', 1],
  ];
  const buckets = [0.05, 0.5, 1, 10];

  it('a histogram scrapes as prom-client would write it', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['route', 'instance'], buckets, registers: [theirs] });
    const fast = new FastHistogram({ name: 'h_seconds', help: 'help', labelNames: ['route', 'instance'], buckets }, ours);
    for (const [route, instance, value] of observations) {
      reference.observe({ route, instance }, value);
      fast.observe([route, instance], value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('a counter scrapes as prom-client would write it, scrape after scrape', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Counter({ name: 'c_total', help: 'help', labelNames: ['route', 'instance'], registers: [theirs] });
    const fast = new FastCounter({ name: 'c_total', help: 'help', labelNames: ['route', 'instance'] }, ours);
    for (const [route, instance, value] of observations) {
      reference.inc({ route, instance }, value);
      fast.inc([route, instance], value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    reference.inc({ route: '/v1/messages', instance: 'alpha' });
    fast.inc(['/v1/messages', 'alpha']);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
