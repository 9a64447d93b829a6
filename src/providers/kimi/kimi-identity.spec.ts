// The Kimi CLI identity byokey presents: one set of headers for the login and the requests, and a
// device id that stays the same for the same machine.
import { KIMI_OAUTH } from './kimi.oauth';
import { KIMI_USER_AGENT, kimiDeviceHeaders, kimiRequestHeaders, machineDevice, stableDeviceId } from './kimi-identity';
import { kimiHeaders } from './kimi.executor';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Kimi identity', () => {
  it('sends the Kimi CLI platform, its version and the device', () => {
    const device = { id: '6f1c2c9e-0b7e-4a51-9d3e-2f7f3a1b4c5d', name: 'dev-box', model: 'Linux 6.1.0 x64', osVersion: '6.1.0' };
    expect(kimiDeviceHeaders(device)).toEqual({
      'X-Msh-Platform': 'kimi_cli',
      'X-Msh-Version': '1.10.6',
      'X-Msh-Device-Name': 'dev-box',
      'X-Msh-Device-Model': 'Linux 6.1.0 x64',
      'X-Msh-Os-Version': '6.1.0',
      'X-Msh-Device-Id': '6f1c2c9e-0b7e-4a51-9d3e-2f7f3a1b4c5d',
    });
    expect(kimiRequestHeaders(device)['User-Agent']).toBe('KimiCLI/1.10.6');
    expect(KIMI_USER_AGENT).toBe('KimiCLI/1.10.6');
  });

  it('derives a UUID-shaped device id that is the same for the same machine and differs between machines', () => {
    expect(stableDeviceId('host-a\0alice')).toMatch(UUID_V4);
    expect(stableDeviceId('host-a\0alice')).toBe(stableDeviceId('host-a\0alice'));
    expect(stableDeviceId('host-b\0alice')).not.toBe(stableDeviceId('host-a\0alice'));
    expect(machineDevice().id).toMatch(UUID_V4);
  });

  it('gives the login and the requests the very same headers', () => {
    const requestHeaders = kimiRequestHeaders();
    expect(KIMI_OAUTH.headers).toEqual(requestHeaders);
    const sent = kimiHeaders('tok-1', { 'X-Team': 'r' });
    for (const [name, value] of Object.entries(requestHeaders)) expect(sent[name.toLowerCase()]).toBe(value);
    expect(sent.authorization).toBe('Bearer tok-1');
    expect(sent['x-team']).toBe('r');
  });

  it('lets an instance header replace an identity header, but never the credential', () => {
    const sent = kimiHeaders('tok-1', { 'User-Agent': 'KimiCLI/9.9.9', Authorization: 'Bearer nope' });
    expect(sent['user-agent']).toBe('KimiCLI/9.9.9');
    expect(sent.authorization).toBe('Bearer tok-1');
  });
});
