import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { shutdownTelemetry } from './tracing.js';
import { WeatherTools } from './weather.tools.js';

/** Exports the last spans and metrics when the app stops (`enableShutdownHooks`). */
@Injectable()
class TelemetryShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTelemetry();
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'weather', version: '1.0.0' })],
  providers: [WeatherTools, TelemetryShutdown],
})
export class AppModule {}
