// Who holds a refresh lease: `host:pid:instance`. Host and pid let another process on the same
// machine see at once that the holder died; the instance id (a uuid per refresher) tells apart
// two holders with the same pid — two refreshers in one process, or a restarted container whose
// new process got the dead one's pid (PID 1 every time).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ProcessLiveness } from './process-liveness';

export interface LeaseHolder {
  host: string;
  pid: number;
  instance: string;
}

/** Instance ids handed out in this process: a holder with our pid but another id is a dead predecessor. */
const instancesOfThisProcess = new Set<string>();

/** A new holder identity for one refresher of this process (or, in tests, a pretend process). */
export function newLeaseHolder(host: string = hostname(), pid: number = process.pid): LeaseHolder {
  const holder = { host, pid, instance: randomUUID() };
  instancesOfThisProcess.add(holder.instance);
  return holder;
}

export function formatLeaseHolder(holder: LeaseHolder): string {
  return `${holder.host}:${holder.pid}:${holder.instance}`;
}

/** The parts of a holder name, or undefined for one in another format (a byokey before heartbeats). */
export function parseLeaseHolder(name: string): LeaseHolder | undefined {
  // From the right: the instance and pid never hold a colon; let the host keep any it has.
  const match = /^(.+):(\d+):([^:]+)$/.exec(name);
  if (!match) return undefined;
  const pid = Number(match[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { host: match[1], pid, instance: match[3] } : undefined;
}

/**
 * True only when the named holder is certainly gone: it ran on this host and its process no
 * longer exists, or it claims this very process yet is none of the refreshers this process made.
 * A holder on another host, or one whose name says nothing, is judged by its heartbeat alone.
 */
export function isLeaseHolderGone(name: string, self: LeaseHolder, isProcessAlive: ProcessLiveness): boolean {
  const holder = parseLeaseHolder(name);
  if (!holder || holder.host !== self.host) return false;
  if (holder.pid === self.pid) return !instancesOfThisProcess.has(holder.instance);
  return !isProcessAlive(holder.pid);
}
