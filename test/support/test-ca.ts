// A certificate authority made at test time with the openssl CLI, and a server certificate it
// signs for a host name (chatgpt.com): what a corporate TLS-inspecting proxy presents. The
// gateway trusts the CA through NODE_EXTRA_CA_CERTS, as a user behind such a proxy would set it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** The CA certificate's PEM file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** The server certificate for `host` (PEM) and its key. */
  cert: string;
  key: string;
  remove(): void;
}

export function makeTestCa(host: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'byokey-test-ca-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=byokey test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${host}`);
  writeFileSync(at('leaf.ext'), `subjectAltName=DNS:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', 'leaf.ext');
  return {
    caFile: at('ca.pem'),
    cert: readFileSync(at('leaf.pem'), 'utf8'),
    key: readFileSync(at('leaf.key'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
