// PinoLoggerService: how Nest's logger arguments become pino lines (context, merged objects,
// errors, printf arguments, the message + stack contract), through Nest's own Logger as the code
// calls it, and that disabled levels write nothing.
import { Logger } from '@nestjs/common';
import { createRootLogger, type LogLevel } from './logger-options';
import { PinoLoggerService } from './pino-logger.service';

type Line = Record<string, unknown> & { level: number; msg?: string; context?: string; err?: { type: string; message: string; stack: string } };

function capture(level: LogLevel = 'trace'): { service: PinoLoggerService; lines: Line[] } {
  const lines: Line[] = [];
  // pino writes each line synchronously to anything with write().
  const destination = { write: (text: string) => lines.push(JSON.parse(text) as Line) } as unknown as NodeJS.WritableStream;
  return { service: new PinoLoggerService(createRootLogger(level, destination)), lines };
}

describe('PinoLoggerService', () => {
  it('maps Nest levels to pino levels', () => {
    const { service, lines } = capture('trace');
    service.verbose('v');
    service.debug('d');
    service.log('l');
    service.warn('w');
    service.error('e');
    service.fatal('f');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [10, 'v'],
      [20, 'd'],
      [30, 'l'],
      [40, 'w'],
      [50, 'e'],
      [60, 'f'],
    ]);
  });

  it('takes the last parameter as the context', () => {
    const { service, lines } = capture();
    service.log('started', 'NestFactory');
    expect(lines[0]).toMatchObject({ msg: 'started', context: 'NestFactory' });
  });

  it('writes no context field when there are no parameters', () => {
    const { service, lines } = capture();
    service.log('plain');
    expect(lines[0].msg).toBe('plain');
    expect(lines[0]).not.toHaveProperty('context');
  });

  it('formats the message with the parameters before the context', () => {
    const { service, lines } = capture();
    service.warn('%s rests for %d ms', 'local', 500, 'RequestRouter');
    expect(lines[0]).toMatchObject({ level: 40, msg: 'local rests for 500 ms', context: 'RequestRouter' });
  });

  it('merges an object first argument into the line, with the next parameter as the message', () => {
    const { service, lines } = capture();
    service.warn({ reqId: 'r-1', route: 'POST /v1/chat/completions' }, 'could not reach upstream', 'HTTP');
    expect(lines[0]).toMatchObject({
      level: 40,
      reqId: 'r-1',
      route: 'POST /v1/chat/completions',
      msg: 'could not reach upstream',
      context: 'HTTP',
    });
  });

  it('serializes an err field of a merged object', () => {
    const { service, lines } = capture();
    service.error({ reqId: 'r-2', err: new TypeError('bad') }, 'unexpected error', 'HTTP');
    expect(lines[0]).toMatchObject({ level: 50, reqId: 'r-2', msg: 'unexpected error', context: 'HTTP' });
    expect(lines[0].err).toMatchObject({ type: 'TypeError', message: 'bad' });
    expect(lines[0].err!.stack).toContain('TypeError: bad');
  });

  it('logs an Error first argument as err', () => {
    const { service, lines } = capture();
    service.error(new Error('boom'), 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ level: 50, context: 'ExceptionsHandler' });
    expect(lines[0].err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it("turns error(message, stack) — Nest's exception handlers' contract — into an err with that stack", () => {
    const { service, lines } = capture();
    const stack = 'Error: no route\n    at Router.find (router.js:1:1)';
    service.error('no route', stack, 'ExceptionHandler');
    expect(lines[0]).toMatchObject({ level: 50, context: 'ExceptionHandler' });
    expect(lines[0].err).toMatchObject({ message: 'no route', stack });
  });

  it('keeps a second string that is not a stack as a printf argument', () => {
    const { service, lines } = capture();
    service.error('failed: %s', 'timeout', 'Ctx');
    expect(lines[0]).toMatchObject({ msg: 'failed: timeout', context: 'Ctx' });
    expect(lines[0]).not.toHaveProperty('err');
  });

  it('writes nothing for levels below the configured one', () => {
    const { service, lines } = capture('warn');
    service.verbose('v', 'Ctx');
    service.debug('d', 'Ctx');
    service.log({ reqId: 'r' }, 'l', 'Ctx');
    service.warn('w', 'Ctx');
    expect(lines.map((l) => l.msg)).toEqual(['w']);
  });

  it('writes nothing at all when silent', () => {
    const { service, lines } = capture('silent');
    service.fatal('f', 'Ctx');
    service.error(new Error('e'), 'Ctx');
    expect(lines).toEqual([]);
  });

  it.each(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'])(
    "writes Nest's bootstrap lines from %s at debug, not info",
    (context) => {
      const { service, lines } = capture('debug');
      service.log('AppModule dependencies initialized', context);
      expect(lines).toEqual([expect.objectContaining({ level: 20, msg: 'AppModule dependencies initialized', context })]);
    },
  );

  it('hides bootstrap chatter at info, but keeps other contexts and bootstrap warnings', () => {
    const { service, lines } = capture('info');
    service.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    service.log('Nest application successfully started', 'NestApplication');
    service.log('provider instances: local', 'PluginRegistry');
    service.warn('slow module', 'InstanceLoader');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'provider instances: local', 'PluginRegistry'],
      [40, 'slow module', 'InstanceLoader'],
    ]);
  });

  it("writes NestApplication's copy of a failed listen at debug (serve reports it), other Nest errors at error", () => {
    const { service, lines } = capture('info');
    service.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:8018', undefined, 'NestApplication');
    service.error('Error: something else broke', undefined, 'NestApplication');
    service.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:8018', undefined, 'Other');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [50, 'Error: something else broke', 'NestApplication'],
      [50, 'Error: listen EADDRINUSE: address already in use 127.0.0.1:8018', 'Other'],
    ]);
  });

  describe("behind Nest's Logger, as the code calls it", () => {
    afterEach(() => Logger.overrideLogger(false));

    it('carries the class name as context, for a string or an object with a message', () => {
      const { service, lines } = capture();
      Logger.overrideLogger(service);
      const logger = new Logger('RequestRouter');
      logger.log('provider instances: local');
      logger.warn({ reqId: 'r-3' }, 'retrying alpha-1');
      logger.error('kept the running configuration');
      expect(lines).toEqual([
        expect.objectContaining({ level: 30, msg: 'provider instances: local', context: 'RequestRouter' }),
        expect.objectContaining({ level: 40, reqId: 'r-3', msg: 'retrying alpha-1', context: 'RequestRouter' }),
        expect.objectContaining({ level: 50, msg: 'kept the running configuration', context: 'RequestRouter' }),
      ]);
    });
  });
});
