// The clock access decisions read (key expiry, rate-limit windows, budget periods). A class so
// it is a DI token that tests can take from a running app and move.
import { Injectable } from '@nestjs/common';

@Injectable()
export class AccessClock {
  now(): number {
    return Date.now();
  }
}
