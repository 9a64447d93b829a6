// The clock Copilot's token and quota caches read. A class so it is a DI token that a test can
// replace with a fake clock.
import { Injectable } from '@nestjs/common';

@Injectable()
export class CopilotClock {
  now(): number {
    return Date.now();
  }
}
