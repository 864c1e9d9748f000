import type { LoggerService } from '@nestjs/common';

/**
 * A Nest logger that keeps warnings and errors instead of printing them, for tests of what the
 * library logs (and so that errors a test provokes leave no stack traces in the test output).
 */
export class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  /** Each error's message, then its stack or detail when one was logged. */
  readonly errors: string[] = [];
  log(): void {}
  error(message: unknown, ...details: unknown[]): void {
    this.errors.push([message, ...details].map(String).join('\n'));
  }
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}
