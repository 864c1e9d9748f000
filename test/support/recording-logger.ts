import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps the warnings, for tests of what the library warns about. */
export class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}
